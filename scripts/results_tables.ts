/**
 * Prints the result tables of docs/results.md (and the README's GSM8K table) with 95% bootstrap intervals, from the `summary.json` (and `traces.jsonl`) that
 * `pyramid-moa eval` writes: per run, every preset and baseline with accuracy and saving intervals, then each preset
 * against the Oracle alone (paired bootstrap interval of the accuracy difference, McNemar's exact p), and the
 * cheapest threshold on the hindsight frontier at or above the Oracle.
 *
 *   npm run demo                                                                              # results/gsm8k
 *   npx tsx src/cli/bin.ts eval --benchmark mbpp --train --out results/mbpp                   # results/mbpp
 *   npx tsx src/cli/bin.ts eval --benchmark math --router routers/gsm8k-llama8b-gemma9b-qwen7b.json --out results/math-zeroshot
 *   npx tsx scripts/results_tables.ts results/gsm8k results/mbpp results/math-zeroshot
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  frontierSweep,
  gradedQueriesFromTraces,
  type EvaluationSummary,
  type RuleScore,
} from "../src/eval/metrics/index.js";
import { readCompletedTraces } from "../src/eval/run/traces_file.js";
import { ci, pct, ruleRows } from "./results_rows.js";

const pp = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} pp`;
const p = (x: number): string => (x < 0.001 ? "<0.001" : x.toFixed(3));

function table(dir: string): string {
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as EvaluationSummary;
  const run = existsSync(join(dir, "run.json"))
    ? (JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as Record<string, unknown>)
    : {};
  const oracle = summary.baselines.find((b) => b.name === "Oracle alone");
  const queries = gradedQueriesFromTraces(readCompletedTraces(join(dir, "traces.jsonl")).lines);
  const atOracle = frontierSweep(queries)
    .filter((s) => oracle !== undefined && s.accuracy >= oracle.accuracy - 1e-12)
    .reduce<RuleScore | undefined>(
      (best, s) => (best === undefined || s.costSaving > best.costSaving ? s : best),
      undefined,
    );
  const router =
    typeof run.routerFile === "string"
      ? ` router ${run.routerFile};`
      : run.train
        ? " router trained on the training part;"
        : "";
  return [
    `**${String(run.benchmark ?? dir)}** (${summary.queries} queries;${router} crowd ${(run.crowd as string[] | undefined)?.join(" + ") ?? "?"}, Oracle ${String(run.oracle ?? "?")}; 95% bootstrap intervals, ${summary.significance.resamples} resamples, seed ${summary.significance.seed}):`,
    "",
    "| rule | accuracy [95% CI] | escalated | crowd errors caught | cost vs Oracle | saving [95% CI] |",
    "|---|---|---|---|---|---|",
    ...ruleRows(summary),
    "",
    "| against the Oracle alone (same queries) | accuracy difference [95% paired-bootstrap CI] | resamples at or above the Oracle | McNemar exact p |",
    "|---|---|---|---|",
    ...summary.significance.versusOracle
      .filter((c) => c.name.startsWith("preset") || c.name.startsWith("escalate"))
      .map(
        (c) =>
          `| ${c.name} | ${pp(c.accuracyDifference)}${ci(c.interval, pp)} | ${pct(c.shareAtLeastOracle)} | ${p(c.mcnemarP)} |`,
      ),
    "",
    `Cheapest threshold at or above the Oracle on the hindsight frontier: ${atOracle === undefined ? "none" : atOracle.costSaving > 0 ? `${pct(atOracle.accuracy)} at ${pct(atOracle.costSaving)} saving` : `none with a saving (${pct(atOracle.accuracy)} at ${pct(atOracle.costSaving)})`}.`,
    "",
  ].join("\n");
}

const dirs = process.argv.slice(2);
console.log((dirs.length > 0 ? dirs : ["results/gsm8k", "results/mbpp"]).map(table).join("\n"));
