import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { EvalTraceLine } from "../../src/eval/index.js";
import { runCli } from "../cli/capture.js";

// Shared by the tests that run `pyramid-moa eval` in-process (test/eval/run, deep, schedule).

/** Flag values: a value, `true` for a flag alone, or a list for a flag given once per value. */
export type EvalOptions = Readonly<Record<string, string | true | readonly string[]>>;

/** Command-line flags from `options`, in their order: `--name value` (once per value of a list), or `--name` alone. */
export function evalFlags(options: EvalOptions): string[] {
  return Object.entries(options).flatMap(([name, value]) =>
    value === true
      ? [`--${name}`]
      : typeof value === "string"
        ? [`--${name}`, value]
        : value.flatMap((v) => [`--${name}`, v]),
  );
}

/** Runs `pyramid-moa eval` in-process (`runCli`) with `options` as its flags (see {@link evalFlags}). */
export function runEval(options: EvalOptions): ReturnType<typeof runCli> {
  return runCli(["eval", ...evalFlags(options)]);
}

/** The trace lines an evaluation wrote to `<out>/traces.jsonl`, as `T` (default the eval trace line). */
export function readTraces<T = EvalTraceLine>(out: string): T[] {
  return readFileSync(join(out, "traces.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as T);
}
