import { normalizeShortAnswer } from "../../answers/extract_short_answer.js";
import { symmetricMatrix } from "./similarity.js";
import type { AnswerSimilarity } from "./similarity.js";

/** SQuAD-normalized word tokens of a text. */
function tokens(text: string): string[] {
  const normalized = normalizeShortAnswer(text);
  return normalized === "" ? [] : normalized.split(" ");
}

/**
 * Token F1 of two texts (SQuAD's answer similarity: the harmonic mean of the shared tokens' precision and recall,
 * with multiplicity, after lower-casing and dropping punctuation and articles); 1 for two empty texts.
 */
export function tokenF1(a: string, b: string): number {
  const left = tokens(a);
  const right = tokens(b);
  if (left.length === 0 || right.length === 0) return left.length === right.length ? 1 : 0;
  const counts = new Map<string, number>();
  for (const token of left) counts.set(token, (counts.get(token) ?? 0) + 1);
  let shared = 0;
  for (const token of right) {
    const count = counts.get(token) ?? 0;
    if (count > 0) {
      shared++;
      counts.set(token, count - 1);
    }
  }
  if (shared === 0) return 0;
  const precision = shared / right.length;
  const recall = shared / left.length;
  return (2 * precision * recall) / (precision + recall);
}

/** The lexical similarity (token F1; no model needed). Default threshold 0.5. */
export function lexicalSimilarity(threshold = 0.5): AnswerSimilarity {
  return {
    kind: "lexical",
    threshold,
    matrix: async (texts) => symmetricMatrix(texts.length, (i, j) => tokenF1(texts[i], texts[j])),
  };
}
