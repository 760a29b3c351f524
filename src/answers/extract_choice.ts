import type { ExtractedAnswer } from "./types.js";

// Optional whitespace runs are kept in separate groups so that no input backtracks polynomially.
const PATTERNS: RegExp[] = [
  /"answer"\s*:\s*"\(?([A-D])\)?/gi,
  /\\boxed\{\(?([A-D])\)?\}/gi,
  /(?:answer|option|choice)(?:\s*(?:is|:))?(?:\s*:)?\s*\**\(?([A-D])\)?(?![A-Za-z])/gi,
];

/**
 * Extracts a multiple-choice letter A-D: a JSON `"answer"` field, `\boxed{B}`, "the answer is (C)",
 * "Answer: D", an output that is just a letter, or the last standalone letter in the text.
 */
export function extractChoiceAnswer(text: string): ExtractedAnswer | null {
  for (const pattern of PATTERNS) {
    const matches = [...text.matchAll(pattern)];
    const last = matches[matches.length - 1];
    if (last) return { key: last[1].toUpperCase(), display: last[1] };
  }
  const bare = /^\s*\(?([A-D])\)?[.:)]?\s*$/i.exec(text);
  if (bare) return { key: bare[1].toUpperCase(), display: bare[1] };
  const standalone = [...text.matchAll(/(?:^|[\s(])([A-D])(?:[).:,]|\s|$)/g)];
  const last = standalone[standalone.length - 1];
  return last ? { key: last[1], display: last[1] } : null;
}
