import { extractAnswer } from "../../answers/extract.js";
import type { AnswerTask } from "../../answers/types.js";
import { majorityVote } from "../../answers/vote.js";
import { CHARS_PER_TOKEN } from "../../cost/usage.js";
import type { SettleContext } from "../../graph/schedule/settle.js";
import type { LatencyModel } from "./latency_model.js";
import { decideInHand } from "./simulate.js";
import type { ReplayedQuery, ScheduleQuery } from "./simulate.js";

/** How a deadline is replayed: when it falls, and how the partial outputs are read and graded. */
export interface DeadlineOptions {
  /** Milliseconds from the query's start. */
  readonly deadlineMs: number;
  /** Answer extractor of the partial outputs. */
  readonly task: AnswerTask;
  /** Whether a (partial) output text of this query is correct. */
  readonly gradeText: (text: string) => boolean;
}

/** What a query answers at its deadline, and whether that is correct. */
export interface DeadlineReplay {
  /**
   * `finished`: the query ended by the deadline (its own answer); `in hand`: it was cut, and the crowd's majority of
   * the members finished by then answers; `partial`: no member's finished output holds an answer, the majority of the
   * answers in the members' partial outputs (the text streamed by then) does; `none`: no answer at all.
   */
  readonly answeredBy: "finished" | "in hand" | "partial" | "none";
  /** Whether the answer is correct (false for `none`). */
  readonly correct: boolean;
}

/**
 * What the pyramid returns for `query` under a deadline (the `deadlineMs` setting), given its replay without one
 * (`replay`): that replay's answer when it ended by the deadline; else the best answer held then: the crowd's
 * majority of the members finished by the deadline (the decision {@link decideInHand} reaches on them), else the
 * majority of the answers in the members' partial outputs, each the text streamed by the deadline under `latency`
 * (`CHARS_PER_TOKEN` characters a token).
 */
export function replayDeadline(
  query: ScheduleQuery,
  replay: ReplayedQuery,
  context: SettleContext,
  latency: LatencyModel,
  options: DeadlineOptions,
): DeadlineReplay {
  const { deadlineMs } = options;
  if (replay.endMs <= deadlineMs) return { answeredBy: "finished", correct: replay.correct };
  const finished = query.crowd.map((c) => latency.callMs(c.model, c.usage.output) <= deadlineMs);
  const held = decideInHand(
    query,
    query.crowd.map((c, i) => (finished[i] ? c : undefined)),
    context,
  );
  if (held.key !== null) return { answeredBy: "in hand", correct: held.crowdCorrect };
  const partial = query.crowd.map((c, i) => {
    const streamed = latency.streamedTokens(c.model, c.usage.output, deadlineMs);
    const text = finished[i] ? c.text : c.text.slice(0, CHARS_PER_TOKEN * streamed);
    return { key: extractAnswer(text, options.task)?.key ?? null, text };
  });
  const vote = majorityVote(partial.map((p) => p.key));
  if (vote.winner < 0) return { answeredBy: "none", correct: false };
  return { answeredBy: "partial", correct: options.gradeText(partial[vote.winner].text) };
}
