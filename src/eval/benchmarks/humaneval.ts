import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { z } from "zod";
import { benchmarkFile } from "./paths.js";
import { parseJsonlRows } from "./jsonl_rows.js";
import type { BenchmarkItemBase, BenchmarkLoadOptions } from "./types.js";

/** Upstream of HumanEval (MIT): `data/HumanEval.jsonl.gz` in openai/human-eval. */
export const HUMANEVAL_UPSTREAM = "https://github.com/openai/human-eval/tree/master/data";

const rowSchema = z.object({
  task_id: z.string(),
  prompt: z.string(),
  entry_point: z.string(),
  canonical_solution: z.string(),
  test: z.string(),
});

/** The test of a HumanEval task: a `check(candidate)` function and the name of the function to test. */
export interface HumanEvalGold {
  test: string;
  entry_point: string;
}

/** One HumanEval task. */
export interface HumanEvalItem extends BenchmarkItemBase {
  benchmark: "humaneval";
  /** Upstream id, e.g. `HumanEval/0`. */
  taskId: string;
  /** The function signature and docstring to complete. */
  prompt: string;
  gold: HumanEvalGold;
  canonicalSolution: string;
}

/**
 * Loads HumanEval (`humaneval/HumanEval.jsonl.gz`, 164 tasks; plain `.jsonl` is read too). Ids are
 * `humaneval/<n>`; `messages` ask to complete the function. Upstream: {@link HUMANEVAL_UPSTREAM}.
 */
export function loadHumanEval(options: BenchmarkLoadOptions = {}): HumanEvalItem[] {
  const file = benchmarkFile(options, "humaneval/HumanEval.jsonl.gz", HUMANEVAL_UPSTREAM);
  const raw = readFileSync(file);
  const text = file.endsWith(".gz") ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
  return parseJsonlRows(text, rowSchema, file).map((r) => ({
    id: `humaneval/${r.task_id.split("/").pop()}`,
    benchmark: "humaneval",
    taskId: r.task_id,
    question: r.prompt,
    prompt: r.prompt,
    messages: [
      {
        role: "user",
        content: `Complete the following Python function. Answer with the whole function in a \`\`\`python code block.\n\n\`\`\`python\n${r.prompt}\`\`\``,
      },
    ],
    gold: { test: r.test, entry_point: r.entry_point },
    canonicalSolution: r.canonical_solution,
  }));
}
