export {
  normalizeNumber as normalizeGradedNumber,
  canonicalNumber,
  firstNumber,
  firstNumberOrFraction,
  lastNumber,
  sameNumber,
} from "./number.js";
export {
  gradeGsm8k,
  extractGsm8kAnswer,
  jsonAnswerField,
  type Gsm8kExtraction,
  type Gsm8kAnswerSource,
  type Gsm8kGradeOptions,
} from "./gsm8k.js";
export {
  gradeMath,
  mathAnswersEqual,
  normalizeMathAnswer,
  extractMathAnswer as extractMath500Answer,
} from "./math.js";
export { lastBoxedLatex } from "../../answers/boxed.js";
export { evaluateExpression } from "../../answers/latex_eval.js";
export { gradeMmlu, extractMmluLetter, type MmluLetter } from "./mmlu.js";
export { extractPythonCode, fencedBlocks, calledFunctionNames } from "../../answers/code_extract.js";
export {
  gradeMbpp,
  gradeHumanEval,
  mbppProgram,
  humanEvalProgram,
  humanEvalTests,
  type CodeGradeOptions,
  type CodeGradeResult,
} from "./code.js";
