import type { WorkloadDiagnosis } from "./diagnosis.js";

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a");
const points = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}` : "n/a");

const VERDICT: Readonly<Record<WorkloadDiagnosis["recommendation"], string>> = {
  keep: "keep the pyramid",
  "change-crowd": "change the crowd",
  oracle: "send this workload to the Oracle",
};

function withinText(d: WorkloadDiagnosis): string {
  const parts = [
    ...(d.significance ? ["not significantly below it, paired 95%"] : []),
    ...(d.tolerance > 0 ? [`within ${(100 * d.tolerance).toFixed(1)} points`] : []),
  ];
  return parts.length > 0 ? ` (${parts.join("; ")})` : "";
}

/** The diagnosis as plain lines (the CLI's output). */
export function diagnosisLines(d: WorkloadDiagnosis): string[] {
  const lines = [`Workload diagnosis: ${VERDICT[d.recommendation]}.`];
  for (const reason of d.reasons) lines.push(`  - ${reason}`);
  const within = withinText(d);
  lines.push(
    d.reaches
      ? `  Oracle accuracy${within} reached: yes, best saving ${pct(d.reaches.saving)} at threshold ${d.reaches.threshold.toFixed(3)}.`
      : `  Oracle accuracy${within} reached: no threshold does with a saving${d.closest ? `; the most accurate saving threshold (${d.closest.threshold.toFixed(3)}) gives ${pct(d.closest.accuracy)} at a ${pct(d.closest.saving)} saving` : ""}.`,
  );
  lines.push(
    `  Oracle ${pct(d.oracleAccuracy)}, crowd majority ${pct(d.crowdAccuracy)}; unanimous on ${pct(d.unanimousRate)} of queries, right there ${pct(d.unanimousAccuracy)} (escalate-unless-unanimous saves ${pct(d.unanimousSaving)}); perfect router saving ${pct(d.perfectSaving)}; crowd cost ${pct(d.crowdCostFraction)} of the Oracle.`,
  );
  lines.push(
    `  Members (accuracy, marginal value to the vote): ${d.members.map((m) => `${m.model} ${pct(m.accuracy)} (${points(m.marginal)} pts)`).join("; ")}.`,
  );
  return lines;
}

/** The diagnosis as a markdown section (`diagnosis.md` of eval and report). */
export function diagnosisMarkdown(d: WorkloadDiagnosis, title: string): string {
  const rows = d.members.map((m) => `| ${m.model} | ${pct(m.accuracy)} | ${points(m.marginal)} |`);
  return [
    `# ${title}`,
    "",
    `**Recommendation: ${VERDICT[d.recommendation]}.**`,
    "",
    ...d.reasons.map((reason) => `- ${reason}`),
    "",
    "| figure | value |",
    "|---|---|",
    `| queries | ${d.queries} |`,
    `| Oracle accuracy | ${pct(d.oracleAccuracy)} |`,
    `| crowd-majority accuracy | ${pct(d.crowdAccuracy)} |`,
    `| reaches the Oracle's accuracy with a saving${withinText(d)} | ${d.reaches ? `yes: ${pct(d.reaches.saving)} saved at t=${d.reaches.threshold.toFixed(3)}` : "no"} |`,
    `| most accurate saving threshold | ${d.closest ? `t=${d.closest.threshold.toFixed(3)}: ${pct(d.closest.accuracy)}, ${pct(d.closest.saving)} saved` : "none saves"} |`,
    `| crowd unanimous | ${pct(d.unanimousRate)} of queries |`,
    `| crowd right when unanimous | ${pct(d.unanimousAccuracy)} |`,
    `| saving of "escalate unless unanimous" | ${pct(d.unanimousSaving)} |`,
    `| perfect router's saving | ${pct(d.perfectSaving)} |`,
    `| crowd cost / Oracle cost | ${pct(d.crowdCostFraction)} |`,
    "",
    "| member | accuracy | marginal value to the vote (points) |",
    "|---|---|---|",
    ...rows,
    "",
  ].join("\n");
}
