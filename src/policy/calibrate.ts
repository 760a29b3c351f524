import { PyramidConfigError } from "../errors/index.js";
import { profileAt, tallyEscalation, type ProfileQuery } from "./profile.js";

/**
 * One graded query of a validation set, as calibration sees it: the router's `P_fail`, whether the
 * crowd's majority answer and the Oracle's answer are correct, and what each tier costs (any unit,
 * e.g. USD).
 *
 * The pyramid at threshold `t` escalates iff `pFail > t`; it then costs `crowdCost + oracleCost` and
 * is correct iff `oracleCorrect`; otherwise it costs `crowdCost` and is correct iff `crowdCorrect`.
 * The profile itself is computed by `src/policy/profile.ts`, shared with the evaluation reports.
 */
export type GradedPrediction = ProfileQuery;

/** How the pyramid does on a graded set at one threshold. */
export interface CalibrationPoint {
  /** Escalate iff `pFail > threshold`. */
  readonly threshold: number;
  /** Fraction of queries escalated to the Oracle. */
  readonly escalationRate: number;
  /** Fraction of queries answered correctly. */
  readonly accuracy: number;
  /** Mean cost per query. */
  readonly meanCost: number;
  /** `1 - cost / cost of the Oracle alone` (NaN when the Oracle alone costs nothing). */
  readonly costSaving: number;
  /** Fraction of the crowd's wrong answers that were escalated (NaN when the crowd is never wrong). */
  readonly recallOfCrowdErrors: number;
  /** Fraction of escalated queries on which the crowd was wrong (NaN when nothing is escalated). */
  readonly precision: number;
}

/** The result of a calibration: the chosen threshold, how it does, and whether the target was met. */
export interface CalibrationResult {
  /** The chosen threshold. */
  readonly threshold: number;
  /** Performance at that threshold on the calibration set. */
  readonly point: CalibrationPoint;
  /** Whether the target could be met (otherwise the threshold is the closest one can get). */
  readonly feasible: boolean;
}

/** Reference figures for the tiers alone on the calibration set. */
export interface TierBaselines {
  /** Accuracy of the crowd's majority answer alone. */
  readonly crowdAccuracy: number;
  /** Accuracy of the Oracle alone. */
  readonly oracleAccuracy: number;
  /** Mean cost of the crowd alone. */
  readonly crowdMeanCost: number;
  /** Mean cost of the Oracle alone. */
  readonly oracleMeanCost: number;
}

function requireRows(rows: readonly GradedPrediction[]): void {
  if (rows.length === 0) {
    throw new PyramidConfigError("calibration needs at least one graded query.", {
      field: "rows",
      fix: "calibrate on a non-empty validation set.",
    });
  }
}

/** Accuracy and mean cost of each tier alone on the graded set. */
export function tierBaselines(rows: readonly GradedPrediction[]): TierBaselines {
  requireRows(rows);
  const crowd = tallyEscalation(rows, () => false);
  const oracle = tallyEscalation(rows, () => true);
  const n = rows.length;
  return {
    crowdAccuracy: crowd.correct / n,
    oracleAccuracy: oracle.correct / n,
    crowdMeanCost: crowd.cost / n,
    oracleMeanCost: crowd.oracleAloneCost / n,
  };
}

/** How the pyramid does on the graded set when it escalates iff `pFail > threshold`. */
export function performanceAt(rows: readonly GradedPrediction[], threshold: number): CalibrationPoint {
  requireRows(rows);
  const row = profileAt(rows, threshold);
  return {
    threshold,
    escalationRate: row.escalationRate,
    accuracy: row.accuracy,
    meanCost: row.meanCost,
    costSaving: row.costSaving,
    recallOfCrowdErrors: row.recall,
    precision: row.precision,
  };
}

/**
 * The thresholds at which the pyramid's behaviour on the set can differ, ascending: `0` (escalate
 * every query with `pFail > 0`), the midpoints between consecutive distinct `pFail` values, and `1`
 * (escalate nothing). Any other threshold in [0, 1] behaves like one of these on this set; midpoints
 * leave the most room on either side for unseen queries. (A query with `pFail` exactly 0 is never
 * escalated; a router's output never is 0.)
 */
export function candidateThresholds(rows: readonly GradedPrediction[]): number[] {
  const values = [...new Set(rows.map((row) => row.pFail))].sort((a, b) => a - b);
  const thresholds = [0];
  for (let i = 0; i + 1 < values.length; i++) {
    const mid = (values[i] + values[i + 1]) / 2;
    if (mid > 0 && mid < 1) thresholds.push(mid);
  }
  thresholds.push(1);
  return thresholds;
}

/**
 * The performance profile: the pyramid's escalation rate, accuracy, cost and recall at each
 * threshold (by default every {@link candidateThresholds} threshold), ascending by threshold.
 */
export function calibrationProfile(
  rows: readonly GradedPrediction[],
  thresholds?: readonly number[],
): CalibrationPoint[] {
  requireRows(rows);
  const list = thresholds ? [...thresholds].sort((a, b) => a - b) : candidateThresholds(rows);
  return list.map((threshold) => performanceAt(rows, threshold));
}

function checkFraction(value: number, field: string): void {
  if (!(value >= 0 && value <= 1)) {
    throw new PyramidConfigError(`expected a fraction in [0, 1], got ${value}.`, { field, fix: "e.g. 0.2 for 20%." });
  }
}

/**
 * The lowest threshold whose escalation rate is at most `targetRate`: escalates as many queries as
 * the budget allows (always feasible: threshold 1 escalates nothing).
 */
export function thresholdForEscalationRate(rows: readonly GradedPrediction[], targetRate: number): CalibrationResult {
  checkFraction(targetRate, "targetRate");
  const profile = calibrationProfile(rows);
  const point = profile.find((p) => p.escalationRate <= targetRate) ?? profile[profile.length - 1];
  return { threshold: point.threshold, point, feasible: true };
}

/**
 * The lowest threshold whose cost saving against the Oracle alone is at least `targetSaving` (so the
 * most accurate one that saves that much). When no threshold saves that much (the crowd alone costs
 * more than `1 - targetSaving` of the Oracle), returns the threshold with the largest saving
 * (escalate nothing) with `feasible: false`.
 *
 * @throws PyramidConfigError when the Oracle alone costs nothing on the set (no saving to measure).
 */
export function thresholdForCostSaving(rows: readonly GradedPrediction[], targetSaving: number): CalibrationResult {
  checkFraction(targetSaving, "targetSaving");
  const profile = calibrationProfile(rows);
  if (Number.isNaN(profile[0].costSaving)) {
    throw new PyramidConfigError(
      "the Oracle alone costs nothing on these queries, so no cost saving can be measured.",
      {
        field: "oracleCost",
        fix: "record the Oracle's cost per query (or calibrate by escalation rate instead).",
      },
    );
  }
  const point = profile.find((p) => p.costSaving >= targetSaving);
  if (point) return { threshold: point.threshold, point, feasible: true };
  const best = profile.reduce((a, b) => (b.costSaving > a.costSaving ? b : a));
  return { threshold: best.threshold, point: best, feasible: false };
}

/**
 * The cheapest threshold whose accuracy is at least `targetAccuracy` (ties in cost go to the higher
 * threshold, i.e. fewer escalations). When no threshold reaches it, returns the most accurate one
 * with `feasible: false`.
 */
export function thresholdForAccuracy(rows: readonly GradedPrediction[], targetAccuracy: number): CalibrationResult {
  checkFraction(targetAccuracy, "targetAccuracy");
  const profile = calibrationProfile(rows);
  // A tiny tolerance so that equality up to rounding (0.8 vs 0.8000000000000002) counts as reached.
  const reaching = profile.filter((p) => p.accuracy >= targetAccuracy - 1e-12);
  if (reaching.length === 0) {
    const best = profile.reduce((a, b) => (b.accuracy > a.accuracy ? b : a));
    return { threshold: best.threshold, point: best, feasible: false };
  }
  let best = reaching[0];
  for (const p of reaching) {
    if (p.meanCost < best.meanCost || (p.meanCost === best.meanCost && p.threshold > best.threshold)) best = p;
  }
  return { threshold: best.threshold, point: best, feasible: true };
}

/**
 * "Baseline match": the cheapest threshold whose accuracy is at least the Oracle alone's. Escalating
 * everything (threshold 0) matches the Oracle's accuracy, so this is feasible whenever every `pFail`
 * is above 0; whether it also saves money shows in `point.costSaving`.
 */
export function baselineMatchThreshold(rows: readonly GradedPrediction[]): CalibrationResult {
  return thresholdForAccuracy(rows, tierBaselines(rows).oracleAccuracy);
}

/**
 * The cheapest threshold that closes at least `fraction` of the accuracy gap between the crowd alone
 * and the Oracle alone: accuracy >= crowd + fraction * (oracle - crowd). `fraction` 1 is
 * {@link baselineMatchThreshold}.
 */
export function thresholdForAccuracyGap(rows: readonly GradedPrediction[], fraction: number): CalibrationResult {
  checkFraction(fraction, "fraction");
  const { crowdAccuracy, oracleAccuracy } = tierBaselines(rows);
  return thresholdForAccuracy(
    rows,
    Math.min(1, Math.max(0, crowdAccuracy + fraction * (oracleAccuracy - crowdAccuracy))),
  );
}
