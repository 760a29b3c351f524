import { z } from "zod";
import {
  baselineMatchThreshold,
  performanceAt,
  thresholdForAccuracyGap,
  thresholdForCostSaving,
  thresholdForEscalationRate,
  tierBaselines,
  type CalibrationResult,
  type GradedPrediction,
  type CalibrationPoint,
} from "./calibrate.js";

/** Names of the threshold presets every router bundle carries. */
export const PRESET_NAMES = ["economy", "balanced", "baseline-match"] as const;

/** One of {@link PRESET_NAMES}. */
export type PresetName = (typeof PRESET_NAMES)[number];

/** How a preset's threshold is chosen on the calibration set. */
export const presetSpecSchema = z.discriminatedUnion("kind", [
  /** The most accurate threshold that saves at least `target` of the Oracle-alone cost. */
  z.object({ kind: z.literal("cost-saving"), target: z.number().min(0).max(1) }),
  /** The lowest threshold that escalates at most `target` of the queries. */
  z.object({ kind: z.literal("escalation-rate"), target: z.number().min(0).max(1) }),
  /** The cheapest threshold closing at least `fraction` of the crowd-to-Oracle accuracy gap. */
  z.object({ kind: z.literal("accuracy-gap"), fraction: z.number().min(0).max(1) }),
  /** The cheapest threshold whose accuracy is at least the Oracle alone's. */
  z.object({ kind: z.literal("baseline-match") }),
]);

/** A preset definition; see {@link presetSpecSchema}. */
export type PresetSpec = z.infer<typeof presetSpecSchema>;

/**
 * The default presets, calibrated by `trainRouter` on the out-of-fold predictions of a
 * cross-validation over all the training traces (or, with `calibration: "validation"`, on a
 * held-out validation split). Escalate iff
 * `P_fail > threshold`; all three are the thresholds of one router, ordered by how much they spend
 * (`economy` never costs more than `balanced`, which never costs more than `baseline-match`):
 *
 * - `economy`: save at least **70%** of the Oracle-alone cost, spending the remaining budget on the
 *   queries the router trusts least; if that would cost more than `balanced`, `balanced`'s threshold
 *   (which then saves even more). The cheap end; may lose some accuracy against the Oracle.
 * - `balanced`: the cheapest threshold that closes at least **half of the accuracy gap** between the
 *   crowd alone and the Oracle alone (accuracy >= crowd + 0.5 x (oracle - crowd)). Defined by accuracy
 *   rather than by a second saving target (say 50%) so that it always lies between `economy`-like
 *   spending and `baseline-match`: a fixed 50% saving can cost more than `baseline-match` for a good
 *   router, which would make the name meaningless. It is never costlier than `baseline-match`.
 * - `baseline-match`: the cheapest threshold whose accuracy is at least the Oracle alone's (the
 *   paper's headline operating point: Oracle accuracy at a fraction of its cost).
 *
 * A saving target the crowd alone cannot reach (a crowd costing more than 30% of the Oracle) falls
 * back to escalating nothing and is reported `feasible: false` in the bundle's metadata. When the
 * traces carry no costs (the Oracle alone costs 0), costs are taken as 1 per Oracle call and 0 for
 * the crowd, so the 70% saving becomes "escalate at most 30% of queries".
 */
export const DEFAULT_PRESET_SPECS: Readonly<Record<PresetName, PresetSpec>> = {
  economy: { kind: "cost-saving", target: 0.7 },
  balanced: { kind: "accuracy-gap", fraction: 0.5 },
  "baseline-match": { kind: "baseline-match" },
};

/** What calibration found for one preset. */
export interface PresetReport {
  /** The preset's definition. */
  readonly spec: PresetSpec;
  /** The threshold, escalate iff `P_fail > threshold`. */
  readonly threshold: number;
  /** Whether the target was met on the calibration set. */
  readonly feasible: boolean;
  /** Escalation rate on the calibration set. */
  readonly escalationRate: number;
  /** Accuracy on the calibration set. */
  readonly accuracy: number;
  /** Cost saving against the Oracle alone on the calibration set. */
  readonly costSaving: number;
  /** Fraction of the crowd's errors escalated on the calibration set. */
  readonly recallOfCrowdErrors: number;
  /** Whether the threshold was raised to keep the presets ordered by cost (see DEFAULT_PRESET_SPECS). */
  readonly raisedForOrder: boolean;
}

/** The calibrated presets: thresholds by name, and how each does on the calibration set. */
export interface CalibratedPresets {
  /** `{ economy, balanced, "baseline-match" }` thresholds. */
  readonly presets: Record<PresetName, number>;
  /** Per-preset figures on the calibration set. */
  readonly reports: Record<PresetName, PresetReport>;
  /** `"recorded"` when the traces' own costs were used, `"unit"` when they had none (see above). */
  readonly costModel: "recorded" | "unit";
}

function calibrateOne(rows: readonly GradedPrediction[], spec: PresetSpec): CalibrationResult {
  switch (spec.kind) {
    case "cost-saving":
      return thresholdForCostSaving(rows, spec.target);
    case "escalation-rate":
      return thresholdForEscalationRate(rows, spec.target);
    case "accuracy-gap":
      return thresholdForAccuracyGap(rows, spec.fraction);
    case "baseline-match":
      return baselineMatchThreshold(rows);
  }
}

/**
 * Calibrates the presets on graded predictions the router did not train on (out-of-fold or
 * held-out).
 *
 * @param specs Preset definitions; defaults to {@link DEFAULT_PRESET_SPECS}.
 */
export function calibratePresets(
  rows: readonly GradedPrediction[],
  specs: Readonly<Record<PresetName, PresetSpec>> = DEFAULT_PRESET_SPECS,
): CalibratedPresets {
  const oracleTotal = rows.reduce((sum, row) => sum + (row.oracleOnlyCost ?? row.oracleCost), 0);
  const costModel = oracleTotal > 0 ? "recorded" : "unit";
  const graded: readonly GradedPrediction[] =
    costModel === "recorded"
      ? rows
      : rows.map((row) => ({ ...row, crowdCost: 0, oracleCost: 1, oracleOnlyCost: 1 }));
  const raw = {} as Record<PresetName, CalibrationResult>;
  for (const name of PRESET_NAMES) raw[name] = calibrateOne(graded, presetSpecSchema.parse(specs[name]));
  // Keep the presets ordered by cost: a higher threshold escalates less and never costs more.
  const thresholds = {} as Record<PresetName, number>;
  thresholds["baseline-match"] = raw["baseline-match"].threshold;
  thresholds.balanced = Math.max(raw.balanced.threshold, thresholds["baseline-match"]);
  thresholds.economy = Math.max(raw.economy.threshold, thresholds.balanced);
  const reports = {} as Record<PresetName, PresetReport>;
  for (const name of PRESET_NAMES) {
    const threshold = thresholds[name];
    const raised = threshold !== raw[name].threshold;
    const point = performanceAt(graded, threshold);
    const spec = presetSpecSchema.parse(specs[name]);
    reports[name] = {
      spec,
      threshold,
      feasible: raised ? targetMet(graded, spec, point) : raw[name].feasible,
      escalationRate: point.escalationRate,
      accuracy: point.accuracy,
      costSaving: point.costSaving,
      recallOfCrowdErrors: point.recallOfCrowdErrors,
      raisedForOrder: raised,
    };
  }
  const presets = {} as Record<PresetName, number>;
  for (const name of PRESET_NAMES) presets[name] = thresholds[name];
  return { presets, reports, costModel };
}

/** Whether a (raised) preset still meets its own target. */
function targetMet(rows: readonly GradedPrediction[], spec: PresetSpec, point: CalibrationPoint): boolean {
  switch (spec.kind) {
    case "cost-saving":
      return point.costSaving >= spec.target;
    case "escalation-rate":
      return point.escalationRate <= spec.target;
    case "accuracy-gap": {
      const { crowdAccuracy, oracleAccuracy } = tierBaselines(rows);
      return point.accuracy >= crowdAccuracy + spec.fraction * (oracleAccuracy - crowdAccuracy) - 1e-12;
    }
    case "baseline-match":
      return point.accuracy >= tierBaselines(rows).oracleAccuracy - 1e-12;
  }
}
