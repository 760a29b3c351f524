import type { BaseMessage } from "@langchain/core/messages";
import type { Candidate } from "../../core/types.js";
import { estimateTierCost, expectedCallTokens } from "../../members/estimate.js";
import type { PyramidSpec } from "../spec.js";
import type { PyramidStateType } from "../state.js";
import { runScheduled } from "./run.js";
import { wavesOrder } from "./schedule.js";
import { isSettled } from "./settle.js";
import type { StreamTally } from "./stream_tally.js";

/** The candidate standing for a member a schedule cancelled or never called: failed, so its features are NaN. */
function missingCandidate(
  spec: PyramidSpec,
  tier: number,
  index: number,
  status: "cancelled" | "not_called" | "deadline",
  tally?: StreamTally,
  estimate?: { readonly messages: readonly BaseMessage[]; readonly lower: readonly Candidate[] },
): Candidate {
  const member = spec.tiers[tier].members[index];
  const called = status !== "not_called";
  const streamed = tally && called;
  // A call that was started but streamed nothing the pyramid can count is charged the member's estimate for this
  // query (its provider bills the input, and the output generated before the abort reached it).
  const estimateUsd = called && estimate ? estimateTierCost([member], estimate.messages, estimate.lower) : 0;
  const expected = called && estimate ? expectedCallTokens(estimate.messages, estimate.lower) : { input: 0, output: 0 };
  const usage = streamed
    ? { input: tally.inputTokens, output: tally.outputTokens(index), estimated: true }
    : { input: expected.input, output: expected.output, estimated: true };
  return {
    model: spec.tiers[tier].members[index].name,
    tier,
    index,
    text: "",
    answer: null,
    display: null,
    error:
      status === "deadline"
        ? "cut by the query's deadline (deadlineMs)"
        : status === "cancelled"
          ? "cancelled: the tier's decision was settled before this member answered"
          : "not called: the tier's decision was settled without this member",
    attempts: status === "not_called" ? 0 : 1,
    latencyMs: 0,
    usage,
    // A call cut or cancelled is charged as far as it went: its input and the tokens it streamed, else its estimate.
    costUsd: streamed ? tally.partialCostUsd(index, member.price, estimateUsd) : estimateUsd,
  };
}

/** The candidate of a member cut by the deadline whose partial output holds an answer key (else undefined). */
function partialCandidate(spec: PyramidSpec, tier: number, index: number, tally: StreamTally): Candidate | undefined {
  const answer = tally.partialAnswer(index, spec.task);
  if (!answer) return undefined;
  return {
    ...missingCandidate(spec, tier, index, "deadline", tally),
    text: tally.text(index),
    answer: answer.key,
    display: answer.display,
    error: undefined,
  };
}

/**
 * Calls the members of tier `tier` under its schedule and returns their candidates in member order: `parallel` (and
 * the apex, always) is every member at once, waiting for all, exactly as before schedules existed; `anytime` and
 * `waves` go through {@link runScheduled} with the exact settlement test {@link isSettled} of the tier's router. With
 * a deadline (`deadlineAt`, epoch ms) every tier goes through it, and the members still running when it passes are cut.
 */
export function tierCalls(
  spec: PyramidSpec,
  tier: number,
  state: PyramidStateType,
  signal: AbortSignal | undefined,
  callOne: (index: number, signal: AbortSignal | undefined) => Promise<Candidate>,
  deadlineAt?: number,
  tally?: StreamTally,
  onArrival?: (present: readonly (Candidate | undefined)[]) => void,
): Promise<Candidate[]> {
  const tierSpec = spec.tiers[tier];
  const isApex = tier === spec.tiers.length - 1;
  if (deadlineAt === undefined && !onArrival && (isApex || tierSpec.schedule === "parallel")) {
    return Promise.all(tierSpec.members.map((_, index) => callOne(index, signal)));
  }
  const lower = state.tiers.slice(0, tier).flatMap((run) => run.candidates);
  const lookahead = spec.lookahead
    ? { utility: spec.lookahead.utility, remaining: spec.lookahead.tiers.slice(tier), rule: spec.lookahead.rule }
    : undefined;
  const order = wavesOrder(tierSpec.members.map((member) => member.price));
  return runScheduled({
    schedule: isApex ? "parallel" : tierSpec.schedule,
    order,
    call: callOne,
    // Answers voted by meaning are re-keyed after the calls: the raw keys settle nothing, so the tier waits for all.
    settled: (present) =>
      spec.similarity
        ? present.every((candidate) => candidate !== undefined)
        : isSettled(present, { router: tierSpec.router, threshold: tierSpec.threshold, lookahead, lower }),
    missing: (index, status) => missingCandidate(spec, tier, index, status, tally, { messages: state.messages, lower }),
    // A partial output stands only when no lower tier answered (their answer is the better one held).
    ...(tally && !lower.some((c) => c.answer != null && c.error === undefined)
      ? { partial: (index: number) => partialCandidate(spec, tier, index, tally) }
      : {}),
    signal,
    deadlineAt,
    ...(onArrival ? { onArrival } : {}),
  });
}
