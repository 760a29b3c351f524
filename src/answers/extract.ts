import type { ExtractedAnswer, TaskKind } from "./types.js";
import { extractMathAnswer } from "./extract_math.js";
import { extractMathLatexAnswer } from "./extract_math_latex.js";
import { extractChoiceAnswer } from "./extract_choice.js";
import { extractCodeAnswer } from "./extract_code.js";
import { extractTextAnswer } from "./extract_text.js";

const EXTRACTORS: Record<TaskKind, (text: string) => ExtractedAnswer | null> = {
  math: extractMathAnswer,
  "math-latex": extractMathLatexAnswer,
  choice: extractChoiceAnswer,
  code: extractCodeAnswer,
  text: extractTextAnswer,
};

/** Extracts the answer of `text` for `task`; `null` when the output holds no answer of that kind. */
export function extractAnswer(text: string, task: TaskKind): ExtractedAnswer | null {
  return EXTRACTORS[task](text);
}
