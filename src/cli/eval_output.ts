import { join } from "node:path";
import type { DecisionPolicy } from "../policy/decision.js";
import type { EvaluationRun } from "../eval/run/run_eval.js";
import type { EvaluationSummary } from "../eval/metrics/summary.js";
import type { WorkloadDiagnosis } from "../eval/metrics/diagnosis.js";
import { diagnosisLines } from "../eval/metrics/diagnosis_text.js";
import type { RuleScore } from "../eval/metrics/types.js";
import { format } from "../eval/metrics/writers.js";
import { gradedQueriesFromTraces } from "../eval/metrics/from_traces.js";
import { majorityAgrees } from "../eval/metrics/rules.js";

/** What `pyramid-moa eval` prints after a run, besides the progress lines. */
export interface EvalOutputInput {
  readonly benchmark: string;
  readonly outDir: string;
  readonly run: Pick<EvaluationRun, "routerOrigin" | "routerNote" | "policy" | "traces" | "trainTraces">;
  readonly summary: EvaluationSummary;
  /** Whether the PNG plots were written (else only the SVGs). */
  readonly png: boolean;
  /** The one-line notice when PNGs were asked for but skipped. */
  readonly pngSkipped?: string;
  /** The router file given with `--router`. */
  readonly routerFile?: string;
  /** The workload diagnosis (printed before the file list). */
  readonly diagnosis?: WorkloadDiagnosis;
}

function policyText(policy: DecisionPolicy, threshold: number): string {
  const t = threshold.toFixed(2);
  if ("preset" in policy) return `the router's "${policy.preset}" preset (t=${t})`;
  if ("threshold" in policy) return `a fixed threshold (t=${t})`;
  return `Equation 5 with cost barrier ${policy.costBarrier} and Oracle accuracy ${policy.oracleAccuracy} (t=${t})`;
}

function routerText(input: EvalOutputInput): string {
  const { run, outDir } = input;
  const routerJson = join(outDir, "router.json");
  switch (run.routerOrigin) {
    case "trained":
      return `Router: an XGBoost router trained on the training part (${run.trainTraces.length} queries), written to ${routerJson}.`;
    case "shipped":
      return `Router: ${run.routerNote ?? "not retrained"}; the shipped router, trained the same way on the same training part, is used (copied to ${routerJson}).`;
    case "file":
      return `Router: ${input.routerFile ?? "the given router file"}.`;
    case "agreement":
      return "Router: none trained (no --train or --router): P_fail = 1 - the majority's vote share.";
  }
}

const points = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)} points`;

function versus(pyramid: RuleScore, other: RuleScore): string {
  return `${points(pyramid.accuracy - other.accuracy)} accuracy, ${format.pct(pyramid.costFraction)} vs ${format.pct(other.costFraction)} of the Oracle-alone cost`;
}

/**
 * The lines `pyramid-moa eval` prints: which router was used (trained, shipped or given) and which policy the
 * "pyramid" row uses, the table of the pyramid, its presets and every baseline, how the pyramid compares with the
 * Oracle, the crowd and the simple agreement rules (saying so when the learned router makes exactly the decisions
 * of "escalate unless a majority agrees"), recall, Theorem 1, and where the tables and plots were written.
 */
export function evalOutputLines(input: EvalOutputInput): string[] {
  const { summary, run, benchmark, outDir } = input;
  const part = run.trainTraces.length > 0 ? "holdout part" : "all items";
  const lines = [routerText(input)];
  lines.push(
    `${benchmark} ${part}: ${summary.queries} queries; the "pyramid" row uses ${policyText(run.policy, summary.threshold)}.`,
    "",
  );
  const preset = "preset" in run.policy ? `${run.policy.preset}, ` : "";
  const rows = [
    { ...summary.pyramid, name: `pyramid (${preset}t=${summary.threshold.toFixed(2)})` },
    ...summary.presets.map((p) => p.score),
    ...summary.baselines,
  ];
  const width = Math.max(...rows.map((r) => r.name.length));
  lines.push(`${"rule".padEnd(width)}  accuracy  escalated  cost vs Oracle  saving`);
  for (const r of rows) {
    lines.push(
      `${r.name.padEnd(width)}  ${format.pct(r.accuracy).padStart(8)}  ${format.pct(r.escalationRate).padStart(9)}  ${format.pct(r.costFraction).padStart(14)}  ${format.pct(r.costSaving).padStart(6)}`,
    );
  }
  const find = (name: string) => summary.baselines.find((b) => b.name === name);
  const p = summary.pyramid;
  lines.push("", "Compared with:");
  for (const name of [
    "Oracle alone",
    "crowd majority",
    "escalate unless unanimous",
    "escalate unless a majority agrees",
  ]) {
    const b = find(name);
    if (b) lines.push(`  ${name.padEnd(34)} ${versus(p, b)}`);
  }
  const queries = gradedQueriesFromTraces(run.traces);
  const t = summary.threshold;
  if (queries.length > 0 && queries.every((q) => q.pFail > t === !majorityAgrees(q))) {
    lines.push(
      `  At t=${t.toFixed(2)} the learned router escalates exactly the queries where no majority of the crowd agrees: here it equals the`,
      `  simple rule "escalate unless a majority agrees". Other thresholds make other trade-offs: profile.csv, profile.svg.`,
    );
  }
  const c = summary.confusion;
  if (input.diagnosis) lines.push("", ...diagnosisLines(input.diagnosis));
  lines.push(
    "",
    `Recall of crowd errors ${format.pct(c.recall)} (escalated ${c.truePositive} of ${c.truePositive + c.falseNegative} crowd errors; ${c.falsePositive} needless escalations).`,
    `P_fail calibration: ECE ${format.num(summary.reliability.ece)}, Brier ${format.num(summary.reliability.brier)} (mean P_fail ${format.pct(summary.reliability.meanPredicted)}, observed crowd error rate ${format.pct(summary.reliability.observedRate)}).`,
    `Theorem 1: p_R ${format.pct(summary.theorem1.pR)}, alpha_L1(R) ${format.pct(summary.theorem1.alphaL1)}, alpha_L2(R) ${format.pct(summary.theorem1.alphaL2)}, satisfied ${summary.theorem1.satisfied ? "yes" : "no"}.`,
    "",
    `Tables: ${join(outDir, "summary.md")}, ${join(outDir, "theorem1.md")},${input.diagnosis ? ` ${join(outDir, "diagnosis.md")},` : ""} ${join(outDir, "profile.csv")} (every threshold).`,
    `Plots: ${join(outDir, `profile.${input.png ? "png" : "svg"}`)} (accuracy and saving vs threshold), ${join(outDir, `frontier.${input.png ? "png" : "svg"}`)} (accuracy vs cost), ${join(outDir, `reliability.${input.png ? "png" : "svg"}`)} (P_fail calibration)${input.png ? ", and .svg" : ""}.`,
  );
  if (input.pngSkipped) lines.push(`${input.pngSkipped}.`);
  lines.push(
    run.trainTraces.length > 0
      ? `Traces: ${join(outDir, "traces.jsonl")} (holdout part), ${join(outDir, "train_traces.jsonl")} (training part: \`pyramid-moa train --traces\` takes this one).`
      : `Traces: ${join(outDir, "traces.jsonl")} (every item).`,
  );
  return lines;
}
