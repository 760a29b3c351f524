export type { BenchmarkItemBase, BenchmarkLoadOptions } from "./types.js";
export { parseCsv } from "./csv.js";
export { loadGsm8k, zeroEvalGsm8kPrompt, GSM8K_UPSTREAM, type Gsm8kItem } from "./gsm8k.js";
export { loadMath500, MATH500_UPSTREAM, type Math500Item } from "./math500.js";
export { loadMmlu, mmluPrompt, MMLU_LETTERS, MMLU_UPSTREAM, type MmluItem } from "./mmlu.js";
export { loadMbpp, MBPP_UPSTREAM, type MbppItem, type MbppGold } from "./mbpp.js";
export { loadHumanEval, HUMANEVAL_UPSTREAM, type HumanEvalItem, type HumanEvalGold } from "./humaneval.js";
