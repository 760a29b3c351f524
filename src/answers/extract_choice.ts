import type { ExtractedAnswer } from "./types.js";

// Optional whitespace runs are kept in separate groups so that no input backtracks polynomially.
const PATTERNS: RegExp[] = [
  /"answer"\s*:\s*"\(?([A-J])\)?/gi,
  /\\boxed\{\(?([A-J])\)?\}/gi,
  /(?:answer|option|choice)(?:\s*(?:is|:))?(?:\s*:)?\s*\**\(?([A-J])\)?(?![A-Za-z])/gi,
];

/**
 * Extracts a multiple-choice letter A-J: a JSON `"answer"` field, `\boxed{B}`, "the answer is (C)",
 * "Answer: D", an output that is just a letter, or the last standalone letter in the text (a bare "I" counts
 * there only as "(I)" or "I)", since the pronoun is far more common than a ninth option).
 */
export function extractChoiceAnswer(text: string): ExtractedAnswer | null {
  for (const pattern of PATTERNS) {
    const matches = [...text.matchAll(pattern)];
    const last = matches[matches.length - 1];
    if (last) return { key: last[1].toUpperCase(), display: last[1] };
  }
  const bare = /^\s*\(?([A-J])\)?[.:)]?\s*$/i.exec(text);
  if (bare) return { key: bare[1].toUpperCase(), display: bare[1] };
  const standalone = [...text.matchAll(/(?:^|[\s(])([A-HJ])(?:[).:,]|\s|$)|(?:^|[\s(])(I)\)/g)];
  const last = standalone[standalone.length - 1];
  const letter = last ? (last[1] ?? last[2]) : undefined;
  return letter ? { key: letter, display: letter } : null;
}
