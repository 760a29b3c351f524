import { jsonAnswerText } from "../../answers/math_answer_text.js";

/** An MMLU answer letter. */
export type MmluLetter = "A" | "B" | "C" | "D";

/**
 * The answer letter of an MMLU output: a JSON `"answer"` field that starts with a letter (`"B"`, `"(B) ..."`,
 * as the JSON answers the vote's `choice` extractor reads), a lone letter, "answer is (B)", "Answer: C", "**D**",
 * "\boxed{A}", or a leading "B." / "(B)". Returns `null` when the output names no letter or
 * names several different letters in its explicit answer statements.
 */
export function extractMmluLetter(output: string): MmluLetter | null {
  const text = output.trim();
  const field = /^\s*\(?([ABCD])\)?(?![A-Za-z])/.exec(jsonAnswerText(text) ?? "");
  if (field) return field[1] as MmluLetter;
  const lone = /^\(?([ABCD])\)?[.:)]?$/.exec(text);
  if (lone) return lone[1] as MmluLetter;
  const patterns = [
    /[Aa]nswer\s*(?:is|:)?\s*:?\s*\**\s*\(?([ABCD])\b\)?/g,
    /\\boxed\{\s*\(?([ABCD])\)?\s*\}/g,
    /\*\*\(?([ABCD])\)?[.:)]?\*\*/g,
  ];
  for (const pattern of patterns) {
    const found = [...text.matchAll(pattern)].map((m) => m[1] as MmluLetter);
    if (found.length > 0) return found[found.length - 1];
  }
  const leading = /^\(?([ABCD])[.):]\s/.exec(text);
  if (leading) return leading[1] as MmluLetter;
  return null;
}

/** Grades an MMLU output against the gold letter. */
export function gradeMmlu(output: string, gold: MmluLetter): { correct: boolean; letter: MmluLetter | null } {
  const letter = extractMmluLetter(output);
  return { correct: letter === gold, letter };
}
