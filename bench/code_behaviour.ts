import { existsSync } from "node:fs";
import { join } from "node:path";
import { extractAnswer } from "../src/index.js";
import { dataDir } from "../src/eval/index.js";
import { measureCodeBehaviour } from "../src/router/train/index.js";
import type { Candidate } from "../src/index.js";
import { DEFAULT_EXPERIMENTS } from "../src/eval/run/run_eval.js";
import { SandboxPool } from "../src/sandbox/index.js";
import { getRecordedItems } from "../src/replay/items.js";
import { RecordedOutputs } from "../src/replay/index.js";
import { LatencyChatModel } from "./latency_model.js";
import { figure, median, now } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the code behaviour suite. */
export interface CodeBehaviourBenchOptions {
  /** Measured rounds. Default 5. */
  readonly rounds?: number;
  /** Queries (three candidates each, one after another) per round. Default 10. */
  readonly queries?: number;
}

/** One query: three candidates and the prompt. */
interface CodeQuery {
  readonly candidates: Candidate[];
  readonly prompt: string;
}

function candidate(model: string, index: number, text: string): Candidate {
  return {
    model,
    tier: 0,
    index,
    text,
    answer: extractAnswer(text, "code")?.key ?? null,
    display: null,
    attempts: 1,
    latencyMs: 0,
    usage: { input: 0, output: 0, estimated: true },
    costUsd: 0,
  };
}

/**
 * Realistic queries: the MBPP crowd's recorded outputs (the built-in experiment's three members) on the first
 * `limit` items; three synthetic programs with a usage example when the data folder is absent.
 */
export function codeQueries(limit: number): { queries: CodeQuery[]; source: string } {
  const file = join(dataDir(), "recorded", "mbpp.jsonl");
  const crowd = DEFAULT_EXPERIMENTS.mbpp.crowd;
  if (!existsSync(file)) {
    const code = (body: string): string =>
      `\`\`\`python\ndef f(xs):\n    return ${body}\n\`\`\`\n\n\`\`\`python\nprint(f([3, 1, 2]))\n\`\`\``;
    const queries = Array.from({ length: limit }, () => ({
      candidates: ["sum(xs)", "sum(sorted(xs))", "max(xs)"].map((body, i) => candidate(`m${i}`, i, code(body))),
      prompt: "Write a function.",
    }));
    return { queries, source: `synthetic programs (${file} not found)` };
  }
  const items = getRecordedItems(RecordedOutputs.load(file)).filter((item) => crowd.every((m) => item.byModel.has(m)));
  const queries = items.slice(0, limit).map((item) => ({
    candidates: crowd.map((m, i) => candidate(m, i, item.byModel.get(m)?.output ?? "")),
    prompt: item.messages[item.messages.length - 1]?.content ?? "",
  }));
  return { queries, source: `recorded MBPP outputs of ${crowd.join(", ")} (${queries.length} items)` };
}

/**
 * Builds the code behaviour suite: the wall time of the code behavioural agreement features (sandboxed probe runs
 * of three candidates) per query, as a multiple of a 50 ms member call measured in the same run.
 */
export function createCodeBehaviourSuite(options: CodeBehaviourBenchOptions = {}): BenchSuite {
  const rounds = options.rounds ?? 5;
  const count = options.queries ?? 10;
  return async (): Promise<BenchFigure[]> => {
    const { queries, source } = codeQueries(count);
    const pool = new SandboxPool();
    const member = new LatencyChatModel({ name: "member-50ms", latencyMs: 50, reply: "def f(x):\n    return x" });
    await member.invoke("warm-up");
    await measureCodeBehaviour(queries[0].candidates, { prompt: queries[0].prompt }, { pool });
    const values: number[] = [];
    const baselines: number[] = [];
    let probed = 0;
    let measured = 0;
    for (let r = 0; r < rounds; r++) {
      const t0 = now();
      for (const query of queries) {
        const result = await measureCodeBehaviour(query.candidates, { prompt: query.prompt }, { pool });
        measured++;
        if (result.probes > 0) probed++;
      }
      values.push((now() - t0) / queries.length);
      const t1 = now();
      await member.invoke("Write a function.");
      baselines.push(now() - t1);
    }
    const isolation = (await pool.run("pass")).isolation === "bwrap" ? "bubblewrap" : "no namespace isolation";
    return [
      figure({
        section: "Code behaviour",
        name: "behavioural agreement (3 candidates) per query vs a 50 ms member call",
        unit: "ms/query",
        values,
        baselines,
        note:
          `wall time of measureCodeBehaviour on ${source}, queries one after another, ${pool.concurrency} sandbox runs at once, ${isolation}; ` +
          `probes found in ${probed}/${measured} queries (the others run nothing); baseline = a 50 ms LatencyChatModel.invoke ` +
          `measured in the same run; ${rounds} rounds x ${queries.length} queries; median ${median(values).toFixed(1)} ms`,
      }),
    ];
  };
}

/** The code behaviour suite with its default settings. */
export const codeBehaviourSuite: BenchSuite = createCodeBehaviourSuite();
