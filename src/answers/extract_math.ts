import type { ExtractedAnswer } from "./types.js";
import { findNumbers, firstNumber } from "./normalize_number.js";
import { lastBoxed } from "./boxed.js";

const JSON_ANSWER = /"answer"\s*:\s*("(?:[^"\\]|\\.)*"|-?[\d.,]+)/g;
const HASHES = /####\s*([^\n]+)/;
// Each optional whitespace run is its own group, so that no input makes the engine backtrack quadratically.
const ANSWER_IS = /(?:final answer|the answer|answer)\s*(?:is|:|=)(?:\s*:)?\s*([^\n]+)/gi;

function firstNumberIn(text: string): ExtractedAnswer | null {
  const first = firstNumber(text);
  return first ? { key: first.key, display: first.raw } : null;
}

/**
 * Extracts the final number of a math answer. Tries, in order: the last JSON `"answer"` field, the last
 * `\boxed{}`, a `####` line, the last "the answer is ..." phrase, and finally the last number in the text.
 * Within the chosen span, the first number is the answer (`"$57,500 per year"` gives `57500`).
 */
export function extractMathAnswer(text: string): ExtractedAnswer | null {
  const jsonAnswers = [...text.matchAll(JSON_ANSWER)];
  for (let i = jsonAnswers.length - 1; i >= 0; i--) {
    const found = firstNumberIn(jsonAnswers[i][1]); // a quoted value's quotes are no part of a number
    if (found) return found;
  }
  const boxed = lastBoxed(text);
  if (boxed !== null) {
    const found = firstNumberIn(boxed.replace(/\\!|\\,|\{,\}/g, ""));
    if (found) return found;
  }
  const hashes = HASHES.exec(text);
  if (hashes) {
    const found = firstNumberIn(hashes[1]);
    if (found) return found;
  }
  const phrases = [...text.matchAll(ANSWER_IS)];
  for (let i = phrases.length - 1; i >= 0; i--) {
    const found = firstNumberIn(phrases[i][1]);
    if (found) return found;
  }
  const numbers = findNumbers(text);
  const last = numbers[numbers.length - 1];
  return last ? { key: last.key, display: last.raw } : null;
}
