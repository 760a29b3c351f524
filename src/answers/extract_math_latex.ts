import type { ExtractedAnswer } from "./types.js";
import { mathAnswerText } from "./math_answer_text.js";
import { mathAnswerKey } from "./math_equivalence.js";
import { findNumbers } from "./normalize_number.js";

/**
 * Extracts a competition-math (MATH) answer for voting: the answer text ({@link mathAnswerText}: the JSON
 * `"answer"` field first, then `\boxed{}`, "the answer is", the last `$...$`), keyed by {@link mathAnswerKey} so
 * that equivalent LaTeX answers vote together (`\frac{3}{4}`, `3/4` and `0.75`; `(1,-2)` and `\left(1, -2\right)`).
 * An output with none of these falls back to its last number, as the `math` extractor does.
 */
export function extractMathLatexAnswer(text: string): ExtractedAnswer | null {
  const answer = mathAnswerText(text);
  if (answer !== null) {
    const key = mathAnswerKey(answer);
    if (key !== null) return { key, display: answer.trim() };
  }
  const numbers = findNumbers(text);
  const last = numbers[numbers.length - 1];
  return last ? { key: last.key, display: last.raw } : null;
}
