import type { AIMessage } from "@langchain/core/messages";
import type { AnswerTask, ExtractedAnswer, TaskKind } from "./types.js";
import { extractMathAnswer } from "./extract_math.js";
import { extractMathLatexAnswer } from "./extract_math_latex.js";
import { extractChoiceAnswer } from "./extract_choice.js";
import { extractCodeAnswer } from "./extract_code.js";
import { extractTextAnswer } from "./extract_text.js";
import { extractShortAnswer } from "./extract_short_answer.js";
import { keyFormExtractor } from "./key_forms.js";

const EXTRACTORS: Record<TaskKind, (text: string) => ExtractedAnswer | null> = {
  math: extractMathAnswer,
  "math-latex": extractMathLatexAnswer,
  choice: extractChoiceAnswer,
  code: extractCodeAnswer,
  text: extractTextAnswer,
  "short-answer": extractShortAnswer,
};

/**
 * Extracts the answer of `text` for `task` (a built-in kind or a user-defined key; `message` is the member's whole
 * message, given to a key function); `null` when the output holds no answer of that kind.
 */
export function extractAnswer(text: string, task: AnswerTask, message?: AIMessage): ExtractedAnswer | null {
  if (typeof task === "string") return EXTRACTORS[task](text);
  return keyFormExtractor(task)(text, message);
}
