import { majorityVote } from "../../answers/vote.js";
import type { Price } from "../../cost/price.js";
import type { Candidate } from "../../core/types.js";
import { isSettled, tierOutcome } from "../../graph/schedule/settle.js";
import type { SettleContext, TierOutcome } from "../../graph/schedule/settle.js";
import type { CrowdSchedule } from "../../graph/schedule/schedule.js";
import { wavesOrder, waveSizes } from "../../graph/schedule/schedule.js";
import { cutCallCost } from "./cut_cost.js";
import type { LatencyModel } from "./latency_model.js";

/** One recorded query as the schedule replay needs it: the whole crowd's real candidates, graded, and the Oracle's call. */
export interface ScheduleQuery {
  /** Item id. */
  readonly id: string;
  /** Every crowd member's candidate, in member order, as the pyramid built it from the recording. */
  readonly crowd: readonly Candidate[];
  /** Whether each member's answer is correct. */
  readonly memberCorrect: readonly boolean[];
  /** Each member's price (for the partial cost of a cancelled call; none: charged nothing). */
  readonly prices: readonly (Price | undefined)[];
  /** The Oracle's call: its model, tokens, price (none: a cut call is charged nothing), cost and whether it is correct. */
  readonly oracle: {
    readonly model: string;
    readonly inputTokens: number;
    readonly outputTokens: number;
    readonly price?: Price;
    readonly costUsd: number;
    readonly correct: boolean;
  };
}

/** What a member's call became under a schedule. */
export type ReplayStatus = "answered" | "cancelled" | "not_called";

/** One query replayed under one schedule and one escalation rule. */
export interface ReplayedQuery {
  /** The crowd's majority key on the answers in hand (the answer returned unless escalated). */
  readonly key: string | null;
  /** Whether the returned answer is correct. */
  readonly correct: boolean;
  /** Whether the query went to the Oracle. */
  readonly escalated: boolean;
  /** USD spent: members called (cancelled ones as far as they streamed) plus the Oracle when escalated. */
  readonly costUsd: number;
  /** Milliseconds to the crowd's decision. */
  readonly crowdMs: number;
  /** Milliseconds to the final answer. */
  readonly endMs: number;
  /** What each member's call became, in member order. */
  readonly status: readonly ReplayStatus[];
}

function missingCandidate(of: Candidate): Candidate {
  return {
    model: of.model,
    tier: of.tier,
    index: of.index,
    text: "",
    answer: null,
    display: null,
    error: "not in hand when the tier decided",
    attempts: 0,
    latencyMs: 0,
    usage: { input: 0, output: 0, estimated: true },
    costUsd: 0,
  };
}

/** The crowd's decision on the answers in hand (see {@link decideInHand}). */
export interface InHandDecision extends TierOutcome {
  /** Whether the crowd's majority answer (on the answers in hand) is correct; false when there is none. */
  readonly crowdCorrect: boolean;
}

/**
 * The crowd's decision on the members in hand (`present`; the others missing): {@link tierOutcome}, and whether its
 * majority answer is correct.
 */
export function decideInHand(
  query: ScheduleQuery,
  present: readonly (Candidate | undefined)[],
  context: SettleContext,
): InHandDecision {
  const candidates = query.crowd.map((c, i) => present[i] ?? missingCandidate(c));
  const outcome = tierOutcome(candidates, context);
  const vote = majorityVote(candidates.map((c) => c.answer));
  return { ...outcome, crowdCorrect: vote.winner >= 0 && query.memberCorrect[vote.winner] === true };
}

/**
 * Replays one query's crowd under `schedule` with the escalation rule of `context` (router, threshold): members
 * answer after {@link LatencyModel.callMs} of their recorded output; `anytime` decides at the first arrival after
 * which {@link isSettled} holds (the library's own test) and cancels the others, charged their input and the tokens
 * streamed by then; `waves` calls {@link wavesOrder} in {@link waveSizes} waves, each waited for whole, the next only
 * when the answers so far do not settle the decision. The decision is {@link tierOutcome} on the answers in hand.
 */
export function replayQuery(
  query: ScheduleQuery,
  schedule: CrowdSchedule,
  context: SettleContext,
  latency: LatencyModel,
): ReplayedQuery {
  const n = query.crowd.length;
  const duration = query.crowd.map((c) => latency.callMs(c.model, c.usage.output));
  const present: (Candidate | undefined)[] = new Array<Candidate | undefined>(n).fill(undefined);
  const startedAt: (number | undefined)[] = new Array<number | undefined>(n).fill(undefined);
  let crowdMs = 0;
  if (schedule === "waves") {
    const order = wavesOrder(query.prices);
    let next = 0;
    for (const size of waveSizes(n)) {
      const wave = order.slice(next, next + size);
      next += size;
      for (const i of wave) {
        startedAt[i] = crowdMs;
        present[i] = query.crowd[i];
      }
      crowdMs += Math.max(...wave.map((i) => duration[i]));
      if (isSettled(present, context)) break;
    }
  } else {
    for (let i = 0; i < n; i++) startedAt[i] = 0;
    const arrivals = duration.map((_, i) => i).sort((a, b) => duration[a] - duration[b] || a - b);
    crowdMs = Math.max(0, ...duration);
    for (const i of arrivals) {
      present[i] = query.crowd[i];
      if (schedule === "anytime" && isSettled(present, context)) {
        crowdMs = duration[i];
        break;
      }
    }
  }
  const decision = decideInHand(query, present, context);
  let costUsd = 0;
  const status = query.crowd.map((c, i): ReplayStatus => {
    if (present[i]) {
      costUsd += c.costUsd;
      return "answered";
    }
    const started = startedAt[i];
    if (started === undefined) return "not_called";
    costUsd += cutCallCost(latency, c.model, query.prices[i], c.usage, crowdMs - started);
    return "cancelled";
  });
  const oracleMs = latency.callMs(query.oracle.model, query.oracle.outputTokens);
  return {
    key: decision.key,
    correct: decision.escalate ? query.oracle.correct : decision.crowdCorrect,
    escalated: decision.escalate,
    costUsd: costUsd + (decision.escalate ? query.oracle.costUsd : 0),
    crowdMs,
    endMs: crowdMs + (decision.escalate ? oracleMs : 0),
    status,
  };
}
