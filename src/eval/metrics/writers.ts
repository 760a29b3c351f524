import type { EvaluationSummary } from "./summary.js";
import type { ProfilePoint, Theorem1Row } from "./profile.js";
import type { RuleScore } from "./types.js";
import { reliabilityMarkdown } from "./reliability_markdown.js";
import { significanceMarkdown } from "./significance_writer.js";

const pct = (x: number, digits = 1): string => (Number.isFinite(x) ? `${(100 * x).toFixed(digits)}%` : "n/a");
const num = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toFixed(digits) : "n/a");
const usd = (x: number): string => (Number.isFinite(x) ? `$${x < 1 ? x.toFixed(4) : x.toFixed(2)}` : "n/a");

/** `profile.csv`: one row per threshold (threshold, accuracy, escalation rate, cost, saving, recall). */
export function profileCsv(profile: readonly ProfilePoint[]): string {
  const rows = profile.map((p) =>
    [
      p.threshold.toFixed(2),
      p.accuracy.toFixed(6),
      p.escalationRate.toFixed(6),
      p.cost.toFixed(8),
      p.costSaving.toFixed(6),
      Number.isFinite(p.recall) ? p.recall.toFixed(6) : "",
    ].join(","),
  );
  return `threshold,accuracy,escalation_rate,cost_usd,cost_saving,recall_crowd_errors\n${rows.join("\n")}\n`;
}

/** `theorem1.md`: the paper's Table 3 for this run, one row per threshold, the chosen one marked. */
export function theorem1Markdown(
  rows: readonly Theorem1Row[],
  options: { title?: string; chosen?: number } = {},
): string {
  const lines = [
    `# ${options.title ?? "Theorem 1 check"}`,
    "",
    "R is the set of escalated queries (pFail > t). Theorem 1: escalation cannot lower accuracy when alpha_L2(R) >= alpha_L1(R);",
    "the accuracy change versus the crowd alone is p_R x (alpha_L2(R) - alpha_L1(R)).",
    "",
    "| t | p_R | escalated | alpha_L1(R) crowd | alpha_L2(R) Oracle | gap | delta accuracy | satisfied |",
    "|---|---|---|---|---|---|---|---|",
    ...rows.map((r) => {
      const mark = options.chosen !== undefined && Math.abs(r.threshold - options.chosen) < 1e-9 ? " **(chosen)**" : "";
      return `| ${r.threshold.toFixed(2)}${mark} | ${pct(r.pR)} | ${r.escalated} | ${pct(r.alphaL1)} | ${pct(r.alphaL2)} | ${r.escalated > 0 ? `${(100 * r.gap).toFixed(1)} pp` : "n/a"} | ${(100 * r.deltaAccuracy).toFixed(2)} pp | ${r.satisfied ? "yes" : "no"} |`;
    }),
    "",
  ];
  return lines.join("\n");
}

function scoreRow(s: RuleScore): string {
  const std = s.accuracyStd !== undefined ? ` ± ${(100 * s.accuracyStd).toFixed(1)}` : "";
  return `| ${s.name} | ${pct(s.accuracy)}${std} | ${pct(s.escalationRate)} | ${s.recallOfCrowdErrors === undefined ? "n/a" : pct(s.recallOfCrowdErrors)} | ${usd(s.cost)} | ${pct(s.costFraction)} | ${pct(s.costSaving)} |`;
}

/** `summary.md`: the pyramid at the chosen threshold, every baseline, presets, recall, confusion and P_fail's reliability. */
export function summaryMarkdown(summary: EvaluationSummary, options: { title?: string } = {}): string {
  const c = summary.confusion;
  const header =
    "| rule | accuracy | escalated | crowd errors caught | cost | % of Oracle cost | saving vs Oracle |\n|---|---|---|---|---|---|---|";
  const lines = [
    `# ${options.title ?? "Evaluation summary"}`,
    "",
    `${summary.queries} queries; threshold t = ${summary.threshold.toFixed(2)} (escalate iff pFail > t).`,
    "",
    "## Pyramid and baselines",
    "",
    header,
    scoreRow(summary.pyramid),
    ...summary.presets.map((p) => scoreRow(p.score)),
    ...summary.baselines.map(scoreRow),
    "",
    `## Crowd errors at t = ${summary.threshold.toFixed(2)}`,
    "",
    `Recall of crowd errors: ${pct(c.recall)}; precision of escalations: ${pct(c.precision)}.`,
    "",
    "| | crowd wrong | crowd right |",
    "|---|---|---|",
    `| escalated | ${c.truePositive} | ${c.falsePositive} |`,
    `| kept | ${c.falseNegative} | ${c.trueNegative} |`,
    "",
    "## Learned-router frontier versus each baseline (best router accuracy at no higher cost)",
    "",
    "| baseline | baseline accuracy | cost | router accuracy at same cost | router not below |",
    "|---|---|---|---|---|",
    ...summary.frontier.map(
      (f) =>
        `| ${f.baseline} | ${pct(f.baselineAccuracy)} | ${usd(f.baselineCost)} | ${pct(f.routerAccuracyAtSameCost)} | ${f.routerNotBelow === null ? "n/a (router costs more)" : f.routerNotBelow ? "yes" : "no"} |`,
    ),
    "",
    "## Theorem 1 at the chosen threshold",
    "",
    `p_R = ${pct(summary.theorem1.pR)}, alpha_L1(R) = ${pct(summary.theorem1.alphaL1)}, alpha_L2(R) = ${pct(summary.theorem1.alphaL2)}, ` +
      `delta accuracy = ${(100 * summary.theorem1.deltaAccuracy).toFixed(2)} pp, satisfied: ${summary.theorem1.satisfied ? "yes" : "no"}.`,
    "",
    reliabilityMarkdown(summary.reliability),
    significanceMarkdown(summary.significance),
  ];
  return lines.join("\n");
}

/** `summary.json`: the summary with NaN and infinities written as `null`. */
export function summaryJson(summary: EvaluationSummary): string {
  return `${JSON.stringify(summary, (_key, value: unknown) => (typeof value === "number" && !Number.isFinite(value) ? null : value), 2)}\n`;
}

/** Number formatting helpers shared by writers. */
export const format = { pct, num, usd };
