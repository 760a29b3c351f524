import { HumanMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { PyramidChatModel } from "../src/index.js";
import type { PyramidMetadata } from "../src/index.js";
import type { CrowdSchedule } from "../src/graph/schedule/schedule.js";
import { getRecordedItems, itemsAnsweredByAll } from "../src/replay/index.js";
import { LatencyChatModel } from "./latency_model.js";
import { recordedGsm8kFile } from "./replay_setup.js";
import { figure, now } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the anytime-crowd suite. */
export interface AnytimeOptions {
  /** Recorded GSM8K queries per round. Default 60. */
  readonly queries?: number;
  /** Rounds (each runs every query under both schedules, interleaved). Default 3. */
  readonly rounds?: number;
  /** Wall-clock time per modelled millisecond (the latency model is scaled down to keep the suite short). Default 0.05. */
  readonly scale?: number;
}

const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const ORACLE = "Meta-Llama-3.1-70B-Instruct";

const quantile = (xs: readonly number[], q: number): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

/**
 * Builds the anytime-crowd suite: the recorded GSM8K outputs replayed by members whose latency follows the latency
 * model of docs/anytime.md (small models 150 ms + tokens/150 per s, the 70B 300 ms + tokens/45 per s, scaled by
 * `scale`), with real timers and real cancellation. Figures: the p50 and p95 end-to-end latency of `anytime`
 * against `parallel` on the same queries, and the cost of `waves` against `parallel` (agreement router, 0.5).
 */
export function createAnytimeSuite(options: AnytimeOptions = {}): BenchSuite {
  const queries = options.queries ?? 60;
  const rounds = options.rounds ?? 3;
  const scale = options.scale ?? 0.05;
  return async (): Promise<BenchFigure[]> => {
    const file = recordedGsm8kFile();
    if (!file) return [];
    const items = itemsAnsweredByAll(getRecordedItems(file), [...CROWD, ORACLE]).slice(0, queries);
    const byPrompt = new Map(items.map((item) => [item.messages[item.messages.length - 1].content, item]));
    const outputOf = (model: string, messages: readonly BaseMessage[]): string =>
      byPrompt.get(messages[messages.length - 1]?.text ?? "")?.byModel.get(model)?.output ?? "";
    const member = (model: string) => {
      const [ttft, tps] = model === ORACLE ? [300, 45] : [150, 150];
      return {
        name: model,
        model: new LatencyChatModel({
          name: model,
          reply: (messages) => outputOf(model, messages),
          latencyMs: (messages) => scale * (ttft + (1000 * Math.ceil(outputOf(model, messages).length / 4)) / tps),
        }),
      };
    };
    const pyramid = (schedule: CrowdSchedule) =>
      new PyramidChatModel({ crowd: CROWD.map(member), oracle: member(ORACLE), task: "math", schedule });
    const models = { parallel: pyramid("parallel"), anytime: pyramid("anytime"), waves: pyramid("waves") };
    const p50 = { parallel: [] as number[], anytime: [] as number[] };
    const p95 = { parallel: [] as number[], anytime: [] as number[] };
    const cost = { parallel: [] as number[], waves: [] as number[] };
    for (let round = 0; round < rounds; round++) {
      const times = { parallel: [] as number[], anytime: [] as number[] };
      const spent = { parallel: 0, waves: 0 };
      for (const [k, item] of items.entries()) {
        const messages = item.messages.map((m) => new HumanMessage(m.content));
        const order = (k + round) % 2 === 0 ? (["parallel", "anytime"] as const) : (["anytime", "parallel"] as const);
        for (const name of order) {
          const t0 = now();
          const answer = await models[name].invoke(messages);
          times[name].push(now() - t0);
          if (name === "parallel") spent.parallel += (answer.response_metadata.pyramid as PyramidMetadata).cost.total;
        }
        const waves = await models.waves.invoke(messages);
        spent.waves += (waves.response_metadata.pyramid as PyramidMetadata).cost.total;
      }
      for (const name of ["parallel", "anytime"] as const) {
        p50[name].push(quantile(times[name], 0.5));
        p95[name].push(quantile(times[name], 0.95));
      }
      cost.parallel.push(spent.parallel);
      cost.waves.push(spent.waves);
    }
    const section = "Anytime crowd";
    const note = `${items.length} recorded GSM8K queries x ${rounds} rounds, latency model scaled by ${scale}; agreement router at 0.5`;
    return [
      figure({
        section,
        name: "anytime vs parallel, p50 end-to-end latency",
        unit: "ms/query",
        values: p50.anytime,
        baselines: p50.parallel,
        maxRatio: 1,
        note,
      }),
      figure({
        section,
        name: "anytime vs parallel, p95 end-to-end latency",
        unit: "ms/query",
        values: p95.anytime,
        baselines: p95.parallel,
        note: `${note}; no target: the p95 is made of escalated queries, bound by the Oracle's own latency (speculative escalation, not built yet, is what would lower it)`,
      }),
      figure({
        section,
        name: "waves vs parallel, cost of the same queries",
        unit: "USD",
        values: cost.waves,
        baselines: cost.parallel,
        maxRatio: 1,
        note: `${note}; same final answers (test/graph/schedule_replay.test.ts)`,
      }),
    ];
  };
}
