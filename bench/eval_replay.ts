import type { BaseMessage } from "@langchain/core/messages";
import { extractAnswer, majorityVote, PyramidChatModel } from "../src/index.js";
import { replaySetup } from "./replay_setup.js";
import type { ReplaySetup } from "./replay_setup.js";
import { figure, now, rotate } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the replayed-evaluation suite. */
export interface EvalReplayOptions {
  /** Measured passes over the file per variant. Default 3. */
  readonly rounds?: number;
  /** Queries in flight at once (like an evaluation runner). Default 8. */
  readonly concurrency?: number;
  /** Use only the first `limit` queries (default: all of the development file, 947). */
  readonly limit?: number;
}

function text(message: BaseMessage): string {
  return typeof message.content === "string" ? message.content : "";
}

/**
 * The baseline: the same replayed member calls through bare `Promise.all`, the same answer extraction and
 * vote, and the oracle when `1 - vote share > 0.5` (the pyramid's default router and threshold). Returns
 * whether the query was escalated.
 */
export async function bareReplayQuery(setup: ReplaySetup, messages: BaseMessage[]): Promise<boolean> {
  const outputs = await Promise.all(setup.crowd.map((member) => member.invoke(messages)));
  const keys = outputs.map((output) => extractAnswer(text(output), "math")?.key ?? null);
  const vote = majorityVote(keys);
  const answered = keys.filter((key) => key !== null).length;
  const escalate = answered === 0 || 1 - vote.count / answered > 0.5;
  if (escalate) await setup.oracle.invoke(messages);
  return escalate;
}

/** Runs `run` over every query with at most `concurrency` in flight; returns queries per second. */
export async function throughput(
  queries: readonly BaseMessage[][],
  concurrency: number,
  run: (messages: BaseMessage[]) => Promise<unknown>,
): Promise<number> {
  let next = 0;
  const t0 = now();
  const worker = async (): Promise<void> => {
    while (next < queries.length) {
      const i = next++;
      await run(queries[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return queries.length / ((now() - t0) / 1000);
}

/** Builds the replayed GSM8K evaluation suite: pyramid queries/s over the development file vs bare calls. */
export function createEvalReplaySuite(options: EvalReplayOptions = {}): BenchSuite {
  const rounds = options.rounds ?? 3;
  const concurrency = options.concurrency ?? 8;
  return async (): Promise<BenchFigure[]> => {
    const setup = replaySetup(options.limit);
    if (!setup) {
      console.log("  eval_replay: skipped, no recorded/gsm8k.jsonl under the data folder (set PYRAMID_DATA_DIR)");
      return [];
    }
    const model = new PyramidChatModel({ crowd: setup.crowd, oracle: setup.oracle, task: "math" });
    let pyramidEscalated = 0;
    let bareEscalated = 0;
    const variants = {
      pyramid: async (messages: BaseMessage[]) => {
        const answer = await model.invoke(messages);
        const meta = answer.response_metadata.pyramid as { escalated?: boolean } | undefined;
        if (meta?.escalated) pyramidEscalated++;
      },
      bare: async (messages: BaseMessage[]) => {
        if (await bareReplayQuery(setup, messages)) bareEscalated++;
      },
    };
    const warm = setup.queries.slice(0, Math.min(50, setup.queries.length));
    for (const run of Object.values(variants)) await throughput(warm, concurrency, run);
    const qps: Record<keyof typeof variants, number[]> = { pyramid: [], bare: [] };
    for (let r = 0; r < rounds; r++) {
      pyramidEscalated = 0;
      bareEscalated = 0;
      for (const name of rotate(Object.keys(variants) as (keyof typeof variants)[], r)) {
        qps[name].push(await throughput(setup.queries, concurrency, variants[name]));
      }
    }
    const n = setup.queries.length;
    return [
      figure({
        section: "Replayed GSM8K evaluation",
        name: "pyramid vs bare Promise.all over the same replayed calls",
        unit: "queries/s",
        values: qps.pyramid,
        baselines: qps.bare,
        note:
          `${n} development queries of ${setup.file.split("/").slice(-2).join("/")}, crowd ${setup.crowd.map((m) => m.model).join(", ")}, ` +
          `oracle ${setup.oracle.model}, task math, ${concurrency} in flight, ${rounds} passes; escalated ${pyramidEscalated} (pyramid) / ` +
          `${bareEscalated} (bare) per pass; ratio < 1 = the pyramid is slower`,
      }),
    ];
  };
}

/** The replayed-evaluation suite with its default settings. */
export const evalReplaySuite: BenchSuite = createEvalReplaySuite();
