import { readFileSync } from "node:fs";
import { z } from "zod";
import { DataFormatError } from "../../errors/index.js";
import { benchmarkFile } from "./paths.js";
import type { BenchmarkItemBase, BenchmarkLoadOptions } from "./types.js";
import { validate } from "../../errors/validate.js";

/** Upstream of MBPP (CC-BY-4.0): `mbpp/sanitized-mbpp.json` in google-research. */
export const MBPP_UPSTREAM = "https://github.com/google-research/google-research/tree/master/mbpp";

const rowSchema = z.object({
  task_id: z.number().int(),
  prompt: z.string(),
  code: z.string(),
  test_imports: z.array(z.string()),
  test_list: z.array(z.string()).min(1),
});

/** The tests of an MBPP task (the shape of `gold` in recorded/mbpp.jsonl). */
export interface MbppGold {
  task_id: number;
  test_list: string[];
  test_imports: string[];
}

/** One sanitized MBPP task. */
export interface MbppItem extends BenchmarkItemBase {
  benchmark: "mbpp";
  taskId: number;
  /** The tests the code must pass. */
  gold: MbppGold;
  /** The reference solution. */
  code: string;
}

/**
 * Loads sanitized MBPP (`mbpp/sanitized-mbpp.json`, 427 tasks). Ids are `mbpp/sanitized/<task_id>`
 * and `messages` are the task text alone, as in recorded/mbpp.jsonl. Upstream: {@link MBPP_UPSTREAM}.
 */
export function loadMbpp(options: BenchmarkLoadOptions = {}): MbppItem[] {
  const file = benchmarkFile(options, "mbpp/sanitized-mbpp.json", MBPP_UPSTREAM);
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    throw new DataFormatError("invalid JSON", { field: file, fix: "restore the file from upstream", cause: error });
  }
  const rows = validate(z.array(rowSchema), data, {
    error: DataFormatError,
    field: (path) => `${file}: [${path}]`,
    fix: "restore the file from upstream",
  });
  return rows.map((r) => ({
    id: `mbpp/sanitized/${r.task_id}`,
    benchmark: "mbpp",
    taskId: r.task_id,
    question: r.prompt,
    messages: [{ role: "user", content: r.prompt }],
    gold: { task_id: r.task_id, test_list: r.test_list, test_imports: r.test_imports },
    code: r.code,
  }));
}
