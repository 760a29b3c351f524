/**
 * The rows of the results tables (README, docs/results.md) built from an eval `summary.json`: one row per preset
 * (cheapest last) and per kept baseline. `scripts/results_tables.ts` prints them; test/scripts/readme_numbers.test.ts
 * checks the README's and docs' rows against the golden summaries, so a published number moves only with them.
 */
import type { EvaluationSummary, Interval, RuleScore } from "../src/eval/metrics/index.js";

/** A share as the tables print it (`93.1%`), `n/a` when absent. */
export const pct = (x: number | null | undefined): string =>
  typeof x === "number" && Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a";
/** An interval as the tables print it (` [90.0%, 95.2%]`), empty when absent. */
export const ci = (i: Interval | undefined, f: (x: number) => string = pct): string =>
  i ? ` [${f(i[0])}, ${f(i[1])}]` : "";

/** The baselines the tables keep (besides the random router). */
export const KEPT_BASELINES = [
  "crowd majority",
  "Oracle alone",
  "escalate unless unanimous",
  "escalate unless a majority agrees",
  "perfect router",
];

/** The rule rows of one run's table, in the printed order. */
export function ruleRows(summary: EvaluationSummary): string[] {
  const intervals = new Map(summary.significance.rules.map((r) => [r.name, r]));
  const row = (s: RuleScore, label = s.name): string => {
    const i = intervals.get(s.name);
    const caught =
      s.recallOfCrowdErrors === undefined || s.recallOfCrowdErrors === null ? "n/a" : pct(s.recallOfCrowdErrors);
    return `| ${label} | ${pct(s.accuracy)}${ci(i?.accuracy)} | ${pct(s.escalationRate)} | ${caught} | ${pct(s.costFraction)} | ${pct(s.costSaving)}${ci(i?.costSaving)} |`;
  };
  const presets = [...summary.presets].sort((a, b) => b.threshold - a.threshold);
  return [
    ...presets.map((pr) => row(pr.score, `pyramid, \`${pr.name}\` preset (t=${pr.threshold.toFixed(2)})`)),
    ...(presets.length === 0 ? [row(summary.pyramid)] : []),
    ...summary.baselines.filter((b) => KEPT_BASELINES.includes(b.name)).map((b) => row(b)),
    ...summary.baselines.filter((b) => b.name.startsWith("random router")).map((b) => row(b)),
  ];
}
