import type { Candidate } from "../../core/types.js";
import { disagreement } from "../../graph/schedule/speculation.js";
import type { SettleContext } from "../../graph/schedule/settle.js";
import { cutCallCost } from "./cut_cost.js";
import type { LatencyModel } from "./latency_model.js";
import { replayQuery } from "./simulate.js";
import type { ReplayedQuery, ScheduleQuery } from "./simulate.js";

/** One query replayed with speculative escalation: the crowd's replay, with the Oracle's early start. */
export interface SpeculativeReplay extends ReplayedQuery {
  /**
   * The Oracle's speculative start (none: the answers in hand never disagreed before the decision): milliseconds
   * from the query's start, and `adopted` (the crowd escalated) or `cancelled` (it did not).
   */
  readonly speculation?: { readonly startedMs: number; readonly outcome: "adopted" | "cancelled" };
}

/**
 * Replays one query under `schedule` (every member started at once) with speculative escalation, as the graph runs
 * it (the tier's `speculative` setting): the Oracle starts at the first arrival, up to the crowd's decision, after
 * which the answers in hand disagree (`disagreement`, the graph's own trigger); it is adopted when the crowd
 * escalates (the answer then comes at the later of the decision and the Oracle's end), else cancelled at the decision
 * and charged its input and the tokens it streamed by then ({@link cutCallCost}).
 */
export function replaySpeculative(
  query: ScheduleQuery,
  schedule: "parallel" | "anytime",
  context: SettleContext,
  latency: LatencyModel,
): SpeculativeReplay {
  const replay = replayQuery(query, schedule, context, latency);
  const duration = query.crowd.map((c) => latency.callMs(c.model, c.usage.output));
  const arrivals = duration.map((_, i) => i).sort((a, b) => duration[a] - duration[b] || a - b);
  const present = new Array<Candidate | undefined>(query.crowd.length).fill(undefined);
  let startedMs: number | undefined;
  for (const i of arrivals) {
    if (duration[i] > replay.crowdMs) break;
    present[i] = query.crowd[i];
    if (disagreement(present)) {
      startedMs = duration[i];
      break;
    }
  }
  if (startedMs === undefined) return replay;
  const { oracle } = query;
  if (replay.escalated) {
    const oracleMs = latency.callMs(oracle.model, oracle.outputTokens);
    return {
      ...replay,
      endMs: Math.max(replay.crowdMs, startedMs + oracleMs),
      speculation: { startedMs, outcome: "adopted" },
    };
  }
  const usage = { input: oracle.inputTokens, output: oracle.outputTokens };
  return {
    ...replay,
    costUsd: replay.costUsd + cutCallCost(latency, oracle.model, oracle.price, usage, replay.crowdMs - startedMs),
    speculation: { startedMs, outcome: "cancelled" },
  };
}
