import { mathAnswerText } from "../../answers/math_answer_text.js";
import { mathAnswersEqual } from "../../answers/math_equivalence.js";

export { normalizeMathAnswer } from "../../answers/latex_normalize.js";
export { mathAnswersEqual } from "../../answers/math_equivalence.js";

/**
 * The final answer of a MATH solution: the JSON `"answer"` field (the recorded prompts ask for
 * `{"reasoning", "answer"}`), else the last `\boxed{}`, else the text after "the answer is" / "final answer:",
 * else the last `$...$` span; `null` when none. The vote's `math-latex` extractor reads the same answer.
 */
export function extractMathAnswer(output: string): string | null {
  return mathAnswerText(output);
}

/**
 * Grades a MATH output against the gold answer (LaTeX) with the equivalence the `math-latex` vote uses
 * (`mathAnswersEqual`: fractions, decimals, radicals, pi, tuples, intervals, units, `\text{}`).
 */
export function gradeMath(output: string, gold: string): { correct: boolean; answer: string | null } {
  const answer = extractMathAnswer(output);
  return { correct: answer !== null && mathAnswersEqual(answer, gold), answer };
}
