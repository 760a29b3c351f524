import { buildPyramidGraph, PyramidChatModel } from "../src/index.js";
import { bareJs, bareLangGraph, makeMembers, queryMessages } from "./shapes.js";
import type { Members } from "./shapes.js";
import { figure, median, now, rotate } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the overhead suite. */
export interface OverheadOptions {
  /** Measured rounds (each runs every variant once, in rotating order). Default 13. */
  readonly rounds?: number;
  /** Queries per variant and round, run one after the other. Default 30. */
  readonly queries?: number;
  /** Warm-up queries per variant before the first round. Default 40. */
  readonly warmup?: number;
}

/** The four ways of answering one query that the suite compares. */
export type OverheadVariant = "pyramidModel" | "pyramidGraph" | "bareGraph" | "bareJs";

/** A runner of one query of each variant, over the same instant members. */
export type OverheadWorkload = Record<OverheadVariant, (i: number) => Promise<unknown>>;

/**
 * The overhead workload: a two-tier pyramid (3 crowd members + oracle) answering instantly, through
 * `PyramidChatModel.invoke` and through the compiled `buildPyramidGraph` graph; (a) a bare LangGraph graph of
 * the same shape; (b) plain code. Every fifth query is one the crowd disagrees on, so all four escalate it.
 */
export function overheadWorkload(members: Members = makeMembers({ crowd: [0, 0, 0], oracle: 0 })): OverheadWorkload {
  const options = { crowd: members.crowd, oracle: members.oracle, task: "math" as const };
  const model = new PyramidChatModel(options);
  const graph = buildPyramidGraph(options);
  const bare = bareLangGraph(members);
  return {
    pyramidModel: (i) => model.invoke(queryMessages(i)),
    pyramidGraph: (i) => graph.invoke({ messages: queryMessages(i), stream: false }),
    bareGraph: (i) => bare.invoke({ messages: queryMessages(i) }),
    bareJs: (i) => bareJs(members, queryMessages(i)),
  };
}

interface Sample {
  wallUs: number;
  cpuUs: number;
}

async function runBatch(run: (i: number) => Promise<unknown>, from: number, count: number): Promise<Sample> {
  const cpu0 = process.cpuUsage();
  const t0 = now();
  for (let i = from; i < from + count; i++) await run(i);
  const wallUs = ((now() - t0) * 1000) / count;
  const cpu = process.cpuUsage(cpu0);
  return { wallUs, cpuUs: (cpu.user + cpu.system) / count };
}

/** Builds the overhead suite with the given repeat counts. */
export function createOverheadSuite(options: OverheadOptions = {}): BenchSuite {
  const rounds = options.rounds ?? 13;
  const queries = options.queries ?? 30;
  const warmup = options.warmup ?? 40;
  return async (): Promise<BenchFigure[]> => {
    const work = overheadWorkload();
    const variants = Object.keys(work) as OverheadVariant[];
    for (const variant of variants) await runBatch(work[variant], 0, warmup);
    const samples: Record<OverheadVariant, Sample[]> = {
      pyramidModel: [],
      pyramidGraph: [],
      bareGraph: [],
      bareJs: [],
    };
    for (let round = 0; round < rounds; round++) {
      for (const variant of rotate(variants, round)) samples[variant].push(await runBatch(work[variant], 0, queries));
    }
    const wall = (v: OverheadVariant): number[] => samples[v].map((s) => s.wallUs);
    const cpuSamples = (v: OverheadVariant): number[] => samples[v].map((s) => s.cpuUs);
    const cpu = (v: OverheadVariant): number => median(cpuSamples(v));
    const cpuRatio = (a: OverheadVariant, b: OverheadVariant): string => (cpu(a) / cpu(b)).toFixed(2);
    const section = "Overhead";
    const unit = "µs/query";
    const shape = `instant members, 3 crowd + oracle, 20% escalated; ${rounds} rounds x ${queries} sequential queries after ${warmup} warm-up`;
    return [
      figure({
        section,
        name: "PyramidChatModel.invoke vs bare LangGraph graph (a)",
        unit,
        values: wall("pyramidModel"),
        baselines: wall("bareGraph"),
        maxRatio: 1.25,
        note: `${shape}; CPU-time ratio ${cpuRatio("pyramidModel", "bareGraph")}`,
      }),
      figure({
        section,
        name: "PyramidChatModel.invoke vs bare LangGraph graph (a), CPU time",
        unit: "µs CPU/query",
        values: cpuSamples("pyramidModel"),
        baselines: cpuSamples("bareGraph"),
        maxRatio: 1.25,
        note: "process CPU time (user + system) per query: the same comparison, less sensitive to other processes on a shared machine; bench/PROFILE.md: the pyramid's own code is ~4% of this CPU, LangGraph + LangChain + langsmith ~64%",
      }),
      figure({
        section,
        name: "pyramid graph (buildPyramidGraph) vs bare LangGraph graph (a)",
        unit,
        values: wall("pyramidGraph"),
        baselines: wall("bareGraph"),
        maxRatio: 1.25,
        note: `features, router, cost accounting on the graph alone; CPU-time ratio ${cpuRatio("pyramidGraph", "bareGraph")}`,
      }),
      figure({
        section,
        name: "PyramidChatModel.invoke vs its compiled graph",
        unit,
        values: wall("pyramidModel"),
        baselines: wall("pyramidGraph"),
        note: `what the chat-model wrapper (BaseChatModel.invoke, callbacks, metadata, AIMessageChunk) costs; CPU-time ratio ${cpuRatio("pyramidModel", "pyramidGraph")}`,
      }),
      figure({
        section,
        name: "PyramidChatModel.invoke vs bare code (b)",
        unit,
        values: wall("pyramidModel"),
        baselines: wall("bareJs"),
        note: `(b) = Promise.all over the same members, a vote, an if; CPU-time ratio ${cpuRatio("pyramidModel", "bareJs")}`,
      }),
      figure({
        section,
        name: "bare LangGraph graph (a) vs bare code (b)",
        unit,
        values: wall("bareGraph"),
        baselines: wall("bareJs"),
        note: `LangGraph's own floor for a 4-node graph; CPU-time ratio ${cpuRatio("bareGraph", "bareJs")}`,
      }),
    ];
  };
}

/** The overhead suite with its default repeat counts. */
export const overheadSuite: BenchSuite = createOverheadSuite();
