import { firstNumber, firstNumberOrFraction, lastNumber, sameNumber, canonicalNumber } from "./number.js";

/** How the GSM8K grader found the model's answer. */
export type Gsm8kAnswerSource = "json" | "marker" | "last-number" | "none";

/** The number a GSM8K output commits to, and where it came from. */
export interface Gsm8kExtraction {
  /** The raw answer text (the JSON `answer` field, or the text after a marker), when found. */
  answerText: string | null;
  /** The normalized number, or `null` when none. */
  number: string | null;
  source: Gsm8kAnswerSource;
}

/**
 * The value of the first `"answer"` field in a model output, as text (a quoted string, unescaped,
 * or a bare number). The first occurrence in text order is used, as upstream (ZeroEval) does:
 * models that go on to invent further questions repeat the JSON template later.
 */
export function jsonAnswerField(output: string): string | null {
  const m = /"answer"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(-?[\d.,]+))/.exec(output);
  if (!m) return null;
  if (m[2] !== undefined) return m[2];
  try {
    return JSON.parse(`"${m[1]}"`) as string;
  } catch {
    return m[1];
  }
}

/**
 * Extracts the final number of a GSM8K answer: the first number of the JSON `answer` field (the
 * recorded ZeroEval prompt asks for `{"reasoning": ..., "answer": ...}`, and upstream grades the
 * first number of that field); else the number after `####`, "the answer is" or `\boxed{`; else
 * the last number of the text.
 */
export function extractGsm8kAnswer(output: string, options: Gsm8kGradeOptions = {}): Gsm8kExtraction {
  const field = jsonAnswerField(output);
  if (field !== null) {
    const n = firstNumberOrFraction(field);
    return { answerText: field, number: n === null ? null : canonicalNumber(n), source: "json" };
  }
  if (options.requireJsonAnswer) return { answerText: null, number: null, source: "none" };
  const marker = /(?:####|answer is|\\boxed\{)\s*:?\s*\$?\s*(-?[\d,]*\.?\d+)/i.exec(output);
  if (marker) {
    const n = firstNumber(marker[1]);
    return { answerText: marker[1], number: n === null ? null : canonicalNumber(Number(n)), source: "marker" };
  }
  const last = lastNumber(output);
  if (last !== null) return { answerText: last, number: canonicalNumber(Number(last)), source: "last-number" };
  return { answerText: null, number: null, source: "none" };
}

/** Options of {@link gradeGsm8k}. */
export interface Gsm8kGradeOptions {
  /**
   * Grade only the JSON `answer` field, as upstream ZeroEval does (an output without one is
   * wrong). Default `false`: fall back to a `####`/"the answer is"/`\boxed{}` marker, then the last
   * number.
   */
  requireJsonAnswer?: boolean;
}

/** Grades a GSM8K output against the gold number (string, e.g. `"18"`). */
export function gradeGsm8k(
  output: string,
  gold: string,
  options: Gsm8kGradeOptions = {},
): { correct: boolean; extraction: Gsm8kExtraction } {
  const extraction = extractGsm8kAnswer(output, options);
  const goldNumber = firstNumber(gold);
  const correct = extraction.number !== null && goldNumber !== null && sameNumber(extraction.number, goldNumber);
  return { correct, extraction };
}
