import type { RecordedItem } from "../../replay/items.js";
import { PyramidConfigError } from "../../errors/index.js";
import { gradeGsm8k } from "../graders/gsm8k.js";
import { gradeMbpp } from "../graders/code.js";
import type { MbppGold } from "../benchmarks/mbpp.js";
import { SandboxPool } from "../sandbox/pool.js";

/** How recorded outputs are graded: with this library's graders, or with the recorded upstream verdict. */
export type GraderChoice = "ours" | "reference";

/** Grades one model's recorded output on one item; results are cached per (item, model). */
export type RecordedGrader = (item: RecordedItem, model: string) => Promise<boolean>;

/**
 * A grader for recorded outputs: GSM8K by final number against the gold; MBPP by running the code against the
 * task's tests in the sandbox (a pool using every core). `reference` uses the upstream verdict stored in the file.
 */
export function recordedGrader(benchmark: string, choice: GraderChoice): { grade: RecordedGrader; close: () => Promise<void> } {
  const cache = new Map<string, Promise<boolean>>();
  const pool = benchmark === "mbpp" && choice === "ours" ? new SandboxPool() : undefined;
  const gradeOnce = async (item: RecordedItem, model: string): Promise<boolean> => {
    const line = item.byModel.get(model);
    if (!line) throw new PyramidConfigError(`no recorded output of "${model}" for ${item.id}`, { field: "models" });
    if (choice === "reference") return line.reference?.correct === true;
    if (benchmark === "gsm8k") return gradeGsm8k(line.output, String(item.gold)).correct;
    if (benchmark === "mbpp") return (await gradeMbpp(line.output, item.gold as MbppGold, { pool })).correct;
    throw new PyramidConfigError(`no grader for benchmark "${benchmark}"`, {
      field: "benchmark",
      fix: 'use "gsm8k" or "mbpp", or --grader reference',
    });
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
