import type { EvalTraceLine } from "../../core/trace_schema.js";
import type { GradedPrediction } from "../../policy/calibrate.js";
import type { LabelledQuery } from "../labels.js";
import { replicationCounts } from "./weighted_metrics.js";

/**
 * The weighted labelled sample as unweighted graded rows for preset calibration: each query is repeated in
 * proportion to its inverse-propensity weight; a query whose label is soft (a disagreement discounted by
 * `P_oracle`) is split into `label` of copies where the crowd is wrong and the apex right, and `1 - label` where the
 * crowd is right and the apex wrong; an agreement is both right.
 */
export function trafficCalibrationRows(
  rows: readonly LabelledQuery[],
  traces: readonly EvalTraceLine[],
  pFail: readonly number[],
): { graded: GradedPrediction[]; labels: Float32Array } {
  const parts: { row: number; crowdCorrect: boolean; oracleCorrect: boolean; weight: number }[] = [];
  rows.forEach((row, i) => {
    if (row.label > 0) parts.push({ row: i, crowdCorrect: false, oracleCorrect: true, weight: row.weight * row.label });
    if (row.label < 1)
      parts.push({ row: i, crowdCorrect: true, oracleCorrect: !row.crowdWrong, weight: row.weight * (1 - row.label) });
  });
  const counts = replicationCounts(parts.map((p) => p.weight));
  const graded: GradedPrediction[] = [];
  const labels: number[] = [];
  parts.forEach((part, k) => {
    const trace = traces[part.row];
    for (let c = 0; c < counts[k]; c++) {
      graded.push({
        pFail: pFail[part.row],
        crowdCorrect: part.crowdCorrect,
        oracleCorrect: part.oracleCorrect,
        crowdCost: trace.cost.crowd,
        oracleCost: trace.cost.oracle,
        oracleOnlyCost: trace.cost.oracleOnly,
      });
      labels.push(part.crowdCorrect ? 0 : 1);
    }
  });
  return { graded, labels: Float32Array.from(labels) };
}
