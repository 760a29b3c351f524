import type { AIMessage } from "@langchain/core/messages";
import type { TokenUsage } from "../cost/usage.js";

/** One member's answer at one tier of the pyramid. */
export interface Candidate {
  /** The member's name (model name). */
  readonly model: string;
  /** Index of the tier the member belongs to (0 = crowd). */
  readonly tier: number;
  /** Position of the member within its tier. */
  readonly index: number;
  /** The member's raw output text; empty when the call failed. */
  readonly text: string;
  /** Normalized answer key used for voting; `null` when none could be extracted or the call failed. */
  readonly answer: string | null;
  /** The answer as the model wrote it. */
  readonly display: string | null;
  /** The member's message (absent when the call failed). */
  readonly message?: AIMessage;
  /** Error message when the call failed after its retries (timeout, HTTP error, ...). */
  readonly error?: string;
  /**
   * Why the member's output is unusable although the call succeeded: a tool call whose arguments are not valid
   * JSON (e.g. cut off by `maxTokens`, kept in `message.invalid_tool_calls`), or no object matching the schema of
   * `withStructuredOutput`. Such a candidate has no answer, does not vote, and counts as a failed member.
   */
  readonly invalid?: string;
  /** Attempts made (1 + retries used). */
  readonly attempts: number;
  /** Wall time of the call, in milliseconds. */
  readonly latencyMs: number;
  /** Tokens used, reported or estimated. */
  readonly usage: TokenUsage;
  /** USD cost of the call. */
  readonly costUsd: number;
  /** Per-token log-probabilities of the output, when the model returned them. */
  readonly logprobs?: readonly number[];
  /** Self-reported confidence in [0, 1], when the pyramid asked for it and the member gave one. */
  readonly confidence?: number;
  /** How a crowd schedule other than `parallel` treated the member (absent under `parallel`). */
  readonly schedule?: CandidateSchedule;
  /**
   * Free text voted by meaning: this answer's similarity to each candidate of its tier, in member order (NaN for
   * those that gave no answer); `answer` is then its meaning cluster's key.
   */
  readonly similarities?: readonly number[];
}

/**
 * What a crowd schedule (`anytime`, `waves`) did with one member: `answered` (its call ended, with an answer or an
 * error), `cancelled` (started, then aborted once the tier's decision was settled), `not_called` (never started:
 * the waves before it settled the decision), `deadline` (cut by the query's `deadlineMs`).
 */
export interface CandidateSchedule {
  /** What happened to the member's call. */
  readonly status: "answered" | "cancelled" | "not_called" | "deadline";
  /** Milliseconds from the tier's start to the call's start (absent when not called). */
  readonly startedMs?: number;
  /** Milliseconds from the tier's start to its answer (or failure); absent when cancelled, cut or not called. */
  readonly arrivedMs?: number;
  /**
   * Set on a member cut by the deadline whose partial output (what it streamed before the deadline) gave the answer:
   * only when no member of any tier had answered in full by then.
   */
  readonly partial?: true;
}

/** What the router decided at the boundary after one tier. */
export interface TierDecision {
  /** Index of the tier whose answer was judged. */
  readonly tier: number;
  /** Name of that tier. */
  readonly tierName: string;
  /** The tier's majority answer key. */
  readonly answer: string | null;
  /** Feature vector as a record (NaN kept). */
  readonly features: Record<string, number>;
  /** Router output: probability that the tier's answer is wrong. */
  readonly pFail: number;
  /** Escalation threshold in force (Equation 5's right-hand side). */
  readonly threshold: number;
  /** Whether the query went on to the next tier. */
  readonly escalated: boolean;
  /** Why, when the decision was forced rather than routed (all members failed, budget exhausted, ...). */
  readonly reason?: string;
  /** Expected values compared, when the look-ahead policy decided. */
  readonly lookahead?: { readonly rule: string; readonly valueStop: number; readonly valueContinue: number };
}
