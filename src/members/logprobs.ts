import type { BaseMessage } from "@langchain/core/messages";
import { extractTokenLogprobs } from "../core/logprobs.js";

/**
 * Per-token log-probabilities of a member's output for the router's features: those of
 * `response_metadata.logprobs.content` ({@link extractTokenLogprobs}), non-finite values dropped and rounding
 * noise above 0 clamped to 0; `undefined` when the model returned none.
 */
export function tokenLogprobs(message: BaseMessage): number[] | undefined {
  const values = extractTokenLogprobs(message)
    ?.filter((logprob) => Number.isFinite(logprob))
    .map((logprob) => Math.min(0, logprob));
  return values && values.length > 0 ? values : undefined;
}
