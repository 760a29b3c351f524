import type { DeepSummary } from "./summary.js";
import type { DeepRuleScore } from "./rules.js";
import { thresholdsLabel } from "./rules.js";

const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : "n/a");
const num = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
const range = (i: readonly [number, number] | undefined): string => (i ? `[${pct(i[0])}, ${pct(i[1])}]` : "n/a");

function ruleRow(summary: DeepSummary, r: DeepRuleScore): string {
  const s = summary.significance.rules.find((x) => x.name === r.name);
  const shares = r.answeredShare.map((a) => pct(a)).join(" / ");
  return `| ${r.name} | ${pct(r.accuracy, 2)} | ${range(s?.accuracy)} | ${pct(r.costFraction)} | ${range(
    s ? [1 - s.costSaving[1], 1 - s.costSaving[0]] : undefined,
  )} | ${shares} |`;
}

/** `summary.md` of a deep run: rules with intervals, boundaries, paired tests, frontier comparisons, look-ahead. */
export function deepSummaryMarkdown(summary: DeepSummary, options: { title?: string } = {}): string {
  const tiers = summary.tiers.join(" -> ");
  const level = Math.round(100 * summary.significance.level);
  const lines = [
    `# ${options.title ?? "Deep pyramid: evaluation summary"}`,
    "",
    `${summary.queries} queries; tiers ${tiers}; thresholds in force ${thresholdsLabel(summary.thresholds)} (escalate at boundary k iff P_fail_k > t_k).`,
    `Costs are fractions of the apex alone's cost; ${level}% intervals from ${summary.significance.resamples} paired bootstrap resamples (seed ${summary.significance.seed}).`,
    "",
    `| rule | accuracy | ${level}% interval | cost vs apex | ${level}% interval | answered by tier (${summary.tiers.join(" / ")}) |`,
    "|---|---|---|---|---|---|",
    ruleRow(summary, summary.pyramid),
    ...summary.presets.map((p) => ruleRow(summary, p.score)),
    ...summary.baselines.map((b) => ruleRow(summary, b)),
    "",
    "## Boundaries (at the thresholds in force)",
    "",
    "Escalation rate and errors caught are over the queries that reach the boundary; Theorem 1 compares, on the escalated",
    "set R, tier k's accuracy (alpha_L1) with the accuracy of what the tiers above return (alpha_L2); calibration is of",
    "P_fail_k against tier k's errors over every query.",
    "",
    "| boundary | t | reached | escalated | escalation rate | tier errors caught | recall | p_R | alpha_L1(R) | alpha_L2(R) | Theorem 1 | ECE | Brier |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...summary.boundaries.map(
      (b) =>
        `| ${b.name} | ${b.threshold.toFixed(2)} | ${b.reached} | ${b.escalated} | ${pct(b.escalationRate)} | ${b.errorsCaught} of ${b.tierErrors} | ${pct(b.recall)} | ${pct(b.theorem1.pR)} | ${pct(b.theorem1.alphaL1)} | ${pct(b.theorem1.alphaL2)} | ${b.theorem1.satisfied ? "yes" : "no"} | ${num(b.reliability.ece)} | ${num(b.reliability.brier)} |`,
    ),
    "",
    "## Paired comparisons with the apex alone",
    "",
    `| rule | accuracy - apex | ${level}% interval | share of resamples >= apex | only rule right | only apex right | McNemar p |`,
    "|---|---|---|---|---|---|---|",
    ...summary.significance.versusOracle.map(
      (c) =>
        `| ${c.name} | ${(100 * c.accuracyDifference).toFixed(2)} pts | [${(100 * c.interval[0]).toFixed(2)}, ${(100 * c.interval[1]).toFixed(2)}] pts | ${pct(c.shareAtLeastOracle)} | ${c.onlyRuleRight} | ${c.onlyOracleRight} | ${num(c.mcnemarP, 4)} |`,
    ),
    "",
    "## Per-boundary thresholds at each baseline's cost",
    "",
    "The best accuracy over the joint threshold sweep (every combination of a grid of thresholds, chosen on these same",
    "queries: an optimistic bound) at a cost no higher than the baseline's.",
    "",
    "| baseline | accuracy | cost vs apex | thresholds' best accuracy at that cost |",
    "|---|---|---|---|",
    ...summary.frontierComparisons.map(
      (c) =>
        `| ${c.baseline} | ${pct(c.baselineAccuracy, 2)} | ${pct(c.baselineCostFraction)} | ${pct(c.thresholdsAccuracyAtSameCost, 2)} |`,
    ),
  ];
  if (summary.lookahead) {
    lines.push(
      "",
      "## Look-ahead policy against per-boundary thresholds",
      "",
      "The optimal-stopping look-ahead (`lookahead` option, rule `optimal`) with tier estimates from the training part, at",
      "several utilities of a correct answer (multiples of the apex's mean cost), against the joint thresholds' best",
      "accuracy at no higher cost on these same queries.",
      "",
      "| utility (x apex cost) | accuracy | cost vs apex | answered by tier | thresholds at same cost |",
      "|---|---|---|---|---|",
      ...summary.lookahead.map(
        (p) =>
          `| ${p.utilityPerApexCost} | ${pct(p.score.accuracy, 2)} | ${pct(p.score.costFraction)} | ${p.score.answeredShare.map((a) => pct(a)).join(" / ")} | ${pct(p.thresholdsAccuracyAtSameCost, 2)} |`,
      ),
    );
  }
  lines.push(
    "",
    "## Frontier of the joint thresholds",
    "",
    "| thresholds | accuracy | cost vs apex |",
    "|---|---|---|",
    ...summary.frontier.map(
      (p) => `| ${thresholdsLabel(p.thresholds)} | ${pct(p.accuracy, 2)} | ${pct(p.costFraction)} |`,
    ),
    "",
  );
  return lines.join("\n");
}

/** `summary.json` of a deep run (non-finite numbers as null). */
export function deepSummaryJson(summary: DeepSummary): string {
  return `${JSON.stringify(summary, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2)}\n`;
}
