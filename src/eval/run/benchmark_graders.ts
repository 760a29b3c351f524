import { z } from "zod";
import { DataFormatError } from "../../errors/index.js";
import type { RecordedItem } from "../../replay/items.js";
import { gradeGsm8k } from "../graders/gsm8k.js";
import { gradeMath } from "../graders/math.js";
import { gradeMmlu, type MmluLetter } from "../graders/mmlu.js";
import { gradeHumanEval, gradeMbpp } from "../graders/code.js";
import type { SandboxPool } from "../../sandbox/pool.js";

/** The benchmarks `pyramid-moa eval` knows; `custom` is graded by upstream verdicts or a grader module. */
export const EVAL_BENCHMARKS = ["gsm8k", "math", "mmlu", "mbpp", "humaneval", "custom"] as const;

/** A benchmark name of {@link EVAL_BENCHMARKS}. */
export type EvalBenchmark = (typeof EVAL_BENCHMARKS)[number];

/** Grades one recorded output against its item's gold with this library's grader of a benchmark. */
export type BenchmarkGrade = (output: string, item: RecordedItem, pool: SandboxPool | undefined) => Promise<boolean>;

const LETTERS = ["A", "B", "C", "D"] as const;

const goldSchemas = {
  gsm8k: z.union([z.string(), z.number()]).transform(String),
  math: z.union([z.string(), z.number()]).transform(String),
  mmlu: z.union([
    z.enum(LETTERS),
    z
      .number()
      .int()
      .min(0)
      .max(3)
      .transform((i) => LETTERS[i]),
  ]),
  mbpp: z.object({
    task_id: z.number().int(),
    test_list: z.array(z.string()).min(1),
    test_imports: z.array(z.string()).default([]),
  }),
  humaneval: z.object({ test: z.string(), entry_point: z.string(), prompt: z.string().optional() }),
} as const;

/** The item's gold, validated for `benchmark`; a {@link DataFormatError} naming the item and the expected shape. */
function gold<B extends keyof typeof goldSchemas>(benchmark: B, item: RecordedItem): z.output<(typeof goldSchemas)[B]> {
  const parsed = goldSchemas[benchmark].safeParse(item.gold);
  if (parsed.success) return parsed.data as z.output<(typeof goldSchemas)[B]>;
  const issue = parsed.error.issues[0];
  throw new DataFormatError(
    `the gold of ${item.id} is not a ${benchmark} gold: ${issue.path.join(".") || "(gold)"}: ${issue.message}`,
    {
      field: `${item.id}: gold`,
      fix:
        benchmark === "mbpp"
          ? "give gold as {task_id, test_list, test_imports}"
          : benchmark === "humaneval"
            ? "give gold as {test, entry_point, prompt?}"
            : benchmark === "mmlu"
              ? 'give gold as a letter "A"-"D" or an index 0-3'
              : "give gold as the answer string",
    },
  );
}

/**
 * This library's grader of each benchmark: GSM8K by final number, MATH by LaTeX answer equivalence (`gradeMath`,
 * the JSON `"answer"` field first), MMLU by letter, MBPP and HumanEval by running the code against the gold tests
 * in the sandbox. `custom` has none (use upstream verdicts or a grader module).
 */
export const BENCHMARK_GRADERS: Readonly<Record<Exclude<EvalBenchmark, "custom">, BenchmarkGrade>> = {
  gsm8k: async (output, item) => gradeGsm8k(output, gold("gsm8k", item)).correct,
  math: async (output, item) => gradeMath(output, gold("math", item)).correct,
  mmlu: async (output, item) => gradeMmlu(output, gold("mmlu", item) as MmluLetter).correct,
  mbpp: async (output, item, pool) => (await gradeMbpp(output, gold("mbpp", item), { pool })).correct,
  humaneval: async (output, item, pool) => {
    const g = gold("humaneval", item);
    return (await gradeHumanEval(output, g.prompt ?? item.question, g, { pool })).correct;
  },
};
