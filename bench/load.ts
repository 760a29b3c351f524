import { PyramidChatModel } from "../src/index.js";
import { forceGc } from "./gc.js";
import { bareJs, bareLangGraph, isHardQuery, makeMembers, queryMessages } from "./shapes.js";
import { figure, median, now, rotate } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the load suite. */
export interface LoadOptions {
  /** Queries started at once. Default 1000. */
  readonly queries?: number;
  /** Measured rounds per variant. Default 2. */
  readonly rounds?: number;
  /** Crowd member latency, ms. Default 50. */
  readonly crowdMs?: number;
  /** Oracle latency, ms. Default 150. */
  readonly oracleMs?: number;
  /** Memory sampling period, ms. Default 5. */
  readonly sampleMs?: number;
}

/** One load round: wall time and the peak memory growth over the pre-round baseline. */
export interface LoadRound {
  /** Wall time until the last query settled, ms. */
  readonly wallMs: number;
  /** Peak `heapUsed` minus the baseline, bytes. */
  readonly heapBytes: number;
  /** Peak `rss` minus the baseline, bytes. */
  readonly rssBytes: number;
  /** Queries that failed (should be 0). */
  readonly failed: number;
}

/** Starts `count` queries at once and measures wall time and peak memory (sampled) against a baseline taken after a GC. */
export async function loadRound(count: number, run: (i: number) => Promise<unknown>, sampleMs = 5): Promise<LoadRound> {
  forceGc();
  const base = process.memoryUsage();
  let peakHeap = base.heapUsed;
  let peakRss = base.rss;
  const sample = (): void => {
    const m = process.memoryUsage();
    if (m.heapUsed > peakHeap) peakHeap = m.heapUsed;
    if (m.rss > peakRss) peakRss = m.rss;
  };
  const timer = setInterval(sample, sampleMs);
  const t0 = now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) pending.push(run(i));
  sample();
  const settled = await Promise.allSettled(pending);
  const wallMs = now() - t0;
  sample();
  clearInterval(timer);
  return {
    wallMs,
    heapBytes: peakHeap - base.heapUsed,
    rssBytes: peakRss - base.rss,
    failed: settled.filter((s) => s.status === "rejected").length,
  };
}

/** The ideal wall time of the load: the longest critical path of any query (crowd, plus the oracle when escalated). */
export function idealLoadMs(count: number, crowdMs: number, oracleMs: number): number {
  let ideal = 0;
  for (let i = 0; i < count; i++) ideal = Math.max(ideal, crowdMs + (isHardQuery(i) ? oracleMs : 0));
  return ideal;
}

/** Builds the load suite: `queries` in flight at once, 20% escalated (every fifth query, deterministically). */
export function createLoadSuite(options: LoadOptions = {}): BenchSuite {
  const count = options.queries ?? 1000;
  const rounds = options.rounds ?? 2;
  const crowdMs = options.crowdMs ?? 50;
  const oracleMs = options.oracleMs ?? 150;
  const sampleMs = options.sampleMs ?? 5;
  return async (): Promise<BenchFigure[]> => {
    const members = makeMembers({ crowd: [crowdMs, crowdMs, crowdMs], oracle: oracleMs });
    const model = new PyramidChatModel({ crowd: members.crowd, oracle: members.oracle, task: "math" });
    const graph = bareLangGraph(members);
    const variants = {
      pyramid: (i: number) => model.invoke(queryMessages(i)),
      bareGraph: (i: number) => graph.invoke({ messages: queryMessages(i) }),
      bareJs: (i: number) => bareJs(members, queryMessages(i)),
    };
    // Warm-up: a small load of each, so that JIT compilation is not part of the first round.
    for (const run of Object.values(variants)) await loadRound(Math.min(50, count), run, sampleMs);
    const results: Record<keyof typeof variants, LoadRound[]> = { pyramid: [], bareGraph: [], bareJs: [] };
    for (let r = 0; r < rounds; r++) {
      for (const name of rotate(Object.keys(variants) as (keyof typeof variants)[], r)) {
        results[name].push(await loadRound(count, variants[name], sampleMs));
      }
    }
    const failed = results.pyramid.reduce((sum, round) => sum + round.failed, 0);
    if (failed > 0) throw new Error(`load suite: ${failed} pyramid queries failed`);
    const ideal = idealLoadMs(count, crowdMs, oracleMs);
    const wall = (name: keyof typeof variants): number[] => results[name].map((round) => round.wallMs);
    const kb = (name: keyof typeof variants, key: "heapBytes" | "rssBytes"): number[] =>
      results[name].map((round) => round[key] / 1024 / count);
    const section = "Load";
    const escalated = Array.from({ length: count }, (_, i) => i).filter(isHardQuery).length;
    const shape = `${count} queries in flight at once, crowd 3 x ${crowdMs} ms, ${escalated} escalated to a ${oracleMs} ms oracle; ${rounds} rounds`;
    const perQueryCpuMs = (name: keyof typeof variants): string =>
      ((Math.min(...wall(name)) - ideal) / count).toFixed(2);
    return [
      figure({
        section,
        name: "pyramid wall time vs ideal",
        unit: "ms",
        values: wall("pyramid"),
        baselines: wall("pyramid").map(() => ideal),
        maxRatio: 1.2,
        note: `${shape}; ideal = longest critical path (${crowdMs} + ${oracleMs} ms). Bounded by CPU: one event loop runs every query's graph, so wall >= ideal + queries x CPU per query (here ~${perQueryCpuMs("pyramid")} ms/query above ideal)`,
      }),
      figure({
        section,
        name: "bare LangGraph graph (a) wall time vs ideal",
        unit: "ms",
        values: wall("bareGraph"),
        baselines: wall("bareGraph").map(() => ideal),
        note: `the floor set by LangGraph itself under the same load (~${perQueryCpuMs("bareGraph")} ms/query above ideal)`,
      }),
      figure({
        section,
        name: "bare code (b) wall time vs ideal",
        unit: "ms",
        values: wall("bareJs"),
        baselines: wall("bareJs").map(() => ideal),
        note: "Promise.all + vote + if over the same members",
      }),
      figure({
        section,
        name: "pyramid wall time vs bare LangGraph graph (a)",
        unit: "ms",
        values: wall("pyramid"),
        baselines: wall("bareGraph"),
        note: "what the pyramid adds on top of LangGraph under load",
      }),
      figure({
        section,
        name: "peak heap per in-flight query: pyramid vs bare LangGraph graph (a)",
        unit: "KiB/query",
        values: kb("pyramid", "heapBytes"),
        baselines: kb("bareGraph", "heapBytes"),
        note: `peak heapUsed over a post-GC baseline, sampled every ${sampleMs} ms, / ${count}; bare code (b): ${median(kb("bareJs", "heapBytes")).toFixed(1)} KiB/query; RSS grew ${(results.pyramid[0].rssBytes / 1024 / count).toFixed(1)} KiB/query over the first pyramid round, which runs first (V8 keeps its pages after GC, so later rounds read less)`,
      }),
    ];
  };
}

/** The load suite with its default settings. */
export const loadSuite: BenchSuite = createLoadSuite();
