import { readFileSync } from "node:fs";
import { z } from "zod";
import { benchmarkFile } from "./paths.js";
import { parseJsonlRows } from "./jsonl_rows.js";
import type { BenchmarkItemBase, BenchmarkLoadOptions } from "./types.js";

/** Upstream of MATH-500 (MIT): `prm800k/math_splits/test.jsonl` (Git LFS). */
export const MATH500_UPSTREAM = "https://github.com/openai/prm800k/tree/main/prm800k/math_splits";

const rowSchema = z.object({
  problem: z.string(),
  solution: z.string(),
  answer: z.string(),
  subject: z.string(),
  level: z.number().int(),
  unique_id: z.string(),
});

/** One MATH-500 problem. */
export interface Math500Item extends BenchmarkItemBase {
  benchmark: "math500";
  /** The gold final answer (LaTeX, without `\boxed{}`). */
  gold: string;
  solution: string;
  subject: string;
  level: number;
  /** Upstream id, e.g. `test/precalculus/807.json`. */
  uniqueId: string;
}

/**
 * Loads MATH-500 (`math500/test.jsonl`, 500 problems). Ids are `math500/<unique_id without
 * .json>`; `messages` ask for the final answer in `\boxed{}`. Upstream: {@link MATH500_UPSTREAM}.
 */
export function loadMath500(options: BenchmarkLoadOptions = {}): Math500Item[] {
  const file = benchmarkFile(options, "math500/test.jsonl", MATH500_UPSTREAM);
  return parseJsonlRows(readFileSync(file, "utf8"), rowSchema, file).map((r) => ({
    id: `math500/${r.unique_id.replace(/\.json$/, "")}`,
    benchmark: "math500",
    question: r.problem,
    messages: [
      {
        role: "user",
        content: `${r.problem}\n\nSolve the problem step by step, then give the final answer in \\boxed{}.`,
      },
    ],
    gold: r.answer,
    solution: r.solution,
    subject: r.subject,
    level: r.level,
    uniqueId: r.unique_id,
  }));
}
