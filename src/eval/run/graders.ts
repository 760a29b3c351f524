import type { RecordedItem } from "../../replay/items.js";
import { PyramidConfigError } from "../../errors/index.js";
import { assertSandboxAvailable, BWRAP_FIX } from "../../sandbox/isolation.js";
import { SandboxPool } from "../../sandbox/pool.js";
import { BENCHMARK_GRADERS, EVAL_BENCHMARKS } from "./benchmark_graders.js";
import { loadGraderModule } from "./grader_module.js";

/**
 * How recorded outputs are graded: with this library's grader of the benchmark (`ours`), with the recorded upstream
 * verdict (`reference`: the line's `reference.correct`), or with a grader module (its path).
 */
export type GraderChoice = "ours" | "reference" | (string & {});

/** Grades one model's recorded output on one item; results are cached per (item, model). */
export type RecordedGrader = (item: RecordedItem, model: string) => Promise<boolean>;

const CODE_BENCHMARKS = new Set(["mbpp", "humaneval"]);

/**
 * A grader for recorded outputs of `benchmark` (see `BENCHMARK_GRADERS`; code is run in a sandbox pool using
 * every core). `reference` uses the upstream verdict stored in the file; any other choice is a grader module's path
 * (`loadGraderModule`).
 */
export async function recordedGrader(
  benchmark: string,
  choice: GraderChoice,
  options: { unsafeAllowUnsandboxedCode?: boolean } = {},
): Promise<{ grade: RecordedGrader; close: () => Promise<void> }> {
  if (!(EVAL_BENCHMARKS as readonly string[]).includes(benchmark)) {
    throw new PyramidConfigError(`unknown benchmark "${benchmark}"`, {
      field: "--benchmark",
      fix: `use one of ${EVAL_BENCHMARKS.join(", ")}`,
    });
  }
  const ours = choice === "ours" ? BENCHMARK_GRADERS[benchmark as keyof typeof BENCHMARK_GRADERS] : undefined;
  if (choice === "ours" && !ours) {
    throw new PyramidConfigError(`benchmark "${benchmark}" has no built-in grader`, {
      field: "--grader",
      fix: "use --grader reference (the lines' reference.correct) or --grader <module path> exporting grade()",
    });
  }
  const custom = choice !== "ours" && choice !== "reference" ? await loadGraderModule(choice) : undefined;
  const cache = new Map<string, Promise<boolean>>();
  const sandboxed = ours !== undefined && CODE_BENCHMARKS.has(benchmark);
  // Refused before any grading (no OS sandbox and no unsafe opt-in), with the flag that opts in.
  if (sandboxed) assertSandboxAvailable(options, `${BWRAP_FIX}, or grade with --grader reference`);
  const pool = sandboxed
    ? new SandboxPool({ defaults: { unsafeAllowUnsandboxedCode: options.unsafeAllowUnsandboxedCode ?? false } })
    : undefined;
  const gradeOnce = async (item: RecordedItem, model: string): Promise<boolean> => {
    const line = item.byModel.get(model);
    if (!line) throw new PyramidConfigError(`no recorded output of "${model}" for ${item.id}`, { field: "models" });
    if (custom) return custom({ output: line.output, gold: item.gold, id: item.id, model, question: item.question });
    if (ours) return ours(line.output, item, pool);
    if (line.reference === undefined) {
      throw new PyramidConfigError(`${item.id} (${model}) has no reference verdict`, {
        field: "--grader",
        fix: "record reference.correct on every line, or grade with ours or a grader module",
      });
    }
    return line.reference.correct;
  };
  return {
    grade: (item, model) => {
      const key = `${item.id}\u0000${model}`;
      let verdict = cache.get(key);
      if (!verdict) {
        verdict = gradeOnce(item, model);
        cache.set(key, verdict);
      }
      return verdict;
    },
    close: async () => {
      const closable = pool as unknown as { close?: () => Promise<void> | void } | undefined;
      await closable?.close?.();
    },
  };
}
