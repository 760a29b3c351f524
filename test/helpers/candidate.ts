import type { Candidate } from "../../src/core/types.js";

/**
 * A crowd member's candidate for unit tests: member `m<index>` of tier 0 answering `answer` (shown as it is) with
 * `text`, one attempt, 1 ms, one input and one output token (reported), free; `extra` overrides any field.
 */
export function candidate(
  index: number,
  text: string,
  answer: string | null,
  extra: Partial<Candidate> = {},
): Candidate {
  return {
    model: `m${index}`,
    tier: 0,
    index,
    text,
    answer,
    display: answer,
    attempts: 1,
    latencyMs: 1,
    usage: { input: 1, output: 1, estimated: false },
    costUsd: 0,
    ...extra,
  };
}
