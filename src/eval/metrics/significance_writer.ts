import type { Interval, Significance } from "./significance.js";

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
const pp = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} pp` : "n/a");
const range = (i: Interval, f: (x: number) => string = pct): string => `[${f(i[0])}, ${f(i[1])}]`;
const p = (x: number): string => (x < 0.001 ? "<0.001" : x.toFixed(3));

/** The significance section of `summary.md`: interval table and paired tests against the Oracle alone. */
export function significanceMarkdown(s: Significance): string {
  const level = `${Math.round(100 * s.level)}%`;
  return [
    `## Significance (${level} bootstrap intervals, ${s.resamples} resamples of the queries, seed ${s.seed})`,
    "",
    `| rule | accuracy ${level} interval | saving vs Oracle ${level} interval | escalated ${level} interval |`,
    "|---|---|---|---|",
    ...s.rules.map((r) => `| ${r.name} | ${range(r.accuracy)} | ${range(r.costSaving)} | ${range(r.escalationRate)} |`),
    "",
    "Against the Oracle alone on the same queries: the accuracy difference with its paired-bootstrap interval, the share",
    "of resamples in which the rule is at least as accurate as the Oracle, the discordant queries and McNemar's exact p-value.",
    "",
    `| rule | accuracy - Oracle | ${level} interval | resamples >= Oracle | only rule right | only Oracle right | McNemar p |`,
    "|---|---|---|---|---|---|---|",
    ...s.versusOracle.map(
      (c) =>
        `| ${c.name} | ${pp(c.accuracyDifference)} | ${range(c.interval, pp)} | ${pct(c.shareAtLeastOracle)} | ${c.onlyRuleRight} | ${c.onlyOracleRight} | ${p(c.mcnemarP)} |`,
    ),
    "",
  ].join("\n");
}
