import { extractAnswer } from "../../src/index.js";
import type { Candidate } from "../../src/index.js";

/**
 * A crowd candidate for the code behaviour tests: member `index` (named `model`, default `m<index>`) answered
 * `text`, or its call failed with `error`.
 */
export function codeCandidate(
  index: number,
  text: string,
  options: { model?: string; error?: string } = {},
): Candidate {
  const { error } = options;
  return {
    model: options.model ?? `m${index}`,
    tier: 0,
    index,
    text: error ? "" : text,
    answer: error ? null : (extractAnswer(text, "code")?.key ?? null),
    display: null,
    attempts: 1,
    latencyMs: 0,
    usage: { input: 0, output: 0, estimated: true },
    costUsd: 0,
    ...(error ? { error } : {}),
  };
}
