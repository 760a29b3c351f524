import type { ReliabilityReport } from "../../router/calibration/reliability.js";

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
const num = (x: number): string => (Number.isFinite(x) ? x.toFixed(3) : "n/a");

/**
 * The reliability section of `summary.md`: per bin of predicted `P_fail`, the queries, the mean predicted `P_fail`, the
 * observed crowd error rate with its Wilson interval, and the gap; then ECE, maximum calibration error and Brier score.
 */
export function reliabilityMarkdown(report: ReliabilityReport): string {
  const level = Math.round(report.level * 100);
  const lines = [
    "## Calibration of P_fail (reliability diagram: `reliability.svg`)",
    "",
    `P_fail read as the probability that the crowd's answer is wrong, against the observed crowd error rate; ${report.count} queries in ` +
      `${report.bins.length} ${report.binning} bins. ECE = ${num(report.ece)} (sum over bins of share x |predicted - observed|), ` +
      `maximum calibration error = ${num(report.mce)}, Brier score = ${num(report.brier)}; mean P_fail ${pct(report.meanPredicted)} against ` +
      `an observed crowd error rate of ${pct(report.observedRate)}.`,
    "",
    `| P_fail bin | queries | mean predicted P_fail | observed crowd error rate [${level}% Wilson] | gap |`,
    "|---|---|---|---|---|",
    ...report.bins.map((b) => {
      const bin = `${b.lower.toFixed(2)}-${b.upper.toFixed(2)}`;
      if (b.count === 0) return `| ${bin} | 0 | | | |`;
      const gap = Math.round(1000 * (b.observedRate - b.meanPredicted)) / 10; // in pp, rounded first: no "-0.0"
      return `| ${bin} | ${b.count} | ${pct(b.meanPredicted)} | ${pct(b.observedRate)} [${pct(b.observedLower)}, ${pct(b.observedUpper)}] | ${gap >= 0 ? "+" : "-"}${Math.abs(gap).toFixed(1)} pp |`;
    }),
    "",
  ];
  return lines.join("\n");
}
