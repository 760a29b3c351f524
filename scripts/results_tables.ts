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
  type Interval,
  type RuleScore,
} from "../src/eval/metrics/index.js";
import { readCompletedTraces } from "../src/eval/run/traces_file.js";

const pct = (x: number | null | undefined): string =>
  typeof x === "number" && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a";
const pp = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} pp`;
const ci = (i: Interval | undefined, f: (x: number) => string = pct): string => (i ? ` [${f(i[0])}, ${f(i[1])}]` : "");
const p = (x: number): string => (x < 0.001 ? "<0.001" : x.toFixed(3));

function table(dir: string): string {
  const summary = JSON.parse(readFileSync(join(dir, "summary.json"), "utf8")) as EvaluationSummary;
  const run = existsSync(join(dir, "run.json"))
    ? (JSON.parse(readFileSync(join(dir, "run.json"), "utf8")) as Record<string, unknown>)
    : {};
  const intervals = new Map(summary.significance.rules.map((r) => [r.name, r]));
  const row = (s: RuleScore, label = s.name): string => {
    const i = intervals.get(s.name);
    return `| ${label} | ${pct(s.accuracy)}${ci(i?.accuracy)} | ${pct(s.escalationRate)} | ${s.recallOfCrowdErrors === undefined || s.recallOfCrowdErrors === null ? "n/a" : pct(s.recallOfCrowdErrors)} | ${pct(s.costFraction)} | ${pct(s.costSaving)}${ci(i?.costSaving)} |`;
  };
  const presets = [...summary.presets].sort((a, b) => b.threshold - a.threshold);
  const keep = [
    "crowd majority",
    "Oracle alone",
    "escalate unless unanimous",
    "escalate unless a majority agrees",
    "perfect router",
  ];
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
    ...presets.map((pr) => row(pr.score, `pyramid, \`${pr.name}\` preset (t=${pr.threshold.toFixed(2)})`)),
    ...(presets.length === 0 ? [row(summary.pyramid)] : []),
    ...summary.baselines.filter((b) => keep.includes(b.name)).map((b) => row(b)),
    ...summary.baselines.filter((b) => b.name.startsWith("random router")).map((b) => row(b)),
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
