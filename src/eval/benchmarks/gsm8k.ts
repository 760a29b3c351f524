import { readFileSync } from "node:fs";
import { z } from "zod";
import { benchmarkFile } from "./paths.js";
import { parseJsonlRows } from "./jsonl_rows.js";
import type { BenchmarkItemBase, BenchmarkLoadOptions } from "./types.js";

/** Upstream of GSM8K (MIT): `grade_school_math/data/{train,test}.jsonl`. */
export const GSM8K_UPSTREAM = "https://github.com/openai/grade-school-math/tree/master/grade_school_math/data";

const rowSchema = z.object({ question: z.string(), answer: z.string() });

/** One GSM8K problem. */
export interface Gsm8kItem extends BenchmarkItemBase {
  benchmark: "gsm8k";
  /** The gold final number as a string, commas removed (the text after `####`). */
  gold: string;
  /** The reference worked solution (with `<<calc>>` annotations). */
  solution: string;
  /** 0-based row in the split file. */
  row: number;
}

/**
 * The ZeroEval GSM8K prompt (the exact user message of `recorded/gsm8k.jsonl`): the question, then
 * an instruction to reason and answer as JSON `{"reasoning": ..., "answer": ...}`.
 */
export function zeroEvalGsm8kPrompt(question: string): string {
  return (
    `\n## Question: \n\n${question}\n\n\n## Instruction \n\n` +
    "Please answer this question by first reasoning and then providing your answer.\n" +
    "Present your reasoning and solution in the following json format. \n" +
    'Please show your final answer in the `answer` field, e.g.,`"answer": "42"`.\n\n' +
    '```json\n{\n    "reasoning": "___",\n    "answer": "___"\n}\n```\n'
  );
}

/**
 * Loads GSM8K (`gsm8k/test.jsonl`: 1319 items, or `gsm8k/train.jsonl`: 7473) from the benchmarks
 * folder. Ids are `gsm8k/<split>/<row>` (0-based), as in the recorded files; `messages` use the
 * ZeroEval prompt ({@link zeroEvalGsm8kPrompt}). Upstream: {@link GSM8K_UPSTREAM}.
 */
export function loadGsm8k(options: BenchmarkLoadOptions & { split?: "test" | "train" } = {}): Gsm8kItem[] {
  const split = options.split ?? "test";
  const file = benchmarkFile(options, `gsm8k/${split}.jsonl`, GSM8K_UPSTREAM);
  const rows = parseJsonlRows(readFileSync(file, "utf8"), rowSchema, file);
  return rows.map((r, row) => ({
    id: `gsm8k/${split}/${row}`,
    benchmark: "gsm8k",
    question: r.question,
    messages: [{ role: "user", content: zeroEvalGsm8kPrompt(r.question) }],
    gold: (r.answer.split("####").pop() ?? "").trim().replace(/,/g, ""),
    solution: r.answer,
    row,
  }));
}
