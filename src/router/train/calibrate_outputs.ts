import { z } from "zod";
import { tierBaselines, type GradedPrediction } from "../../policy/calibrate.js";
import { bootstrapOptionsSchema } from "../../policy/bootstrap.js";
import {
  calibratePresets,
  DEFAULT_PRESET_SPECS,
  GUARANTEED_PRESET_SPECS,
  PRESET_NAMES,
  type CalibratedPresets,
  type PresetName,
  type PresetSpec,
} from "../../policy/presets.js";
import { applyPFailCalibration, fitPFailCalibration, type PFailCalibration } from "../calibration/calibrator.js";
import { reliabilityReport } from "../calibration/reliability.js";
import { logLoss, rocAuc, seededPermutation } from "./metrics.js";

/** How `trainRouter` calibrates `P_fail`: Platt (default), isotonic, or not at all (the model's output as is). */
export const pFailCalibrationOptionSchema = z.enum(["isotonic", "platt", "none"]);

/** Bootstrap options of `trainRouter` (its seed defaults to the training seed). */
export const trainBootstrapOptionSchema = bootstrapOptionsSchema.partial();

/** What the trainer passes to {@link calibrateRouterOutputs}. */
export interface CalibrateOutputsInput {
  /** Graded predictions the router did not train on, with the model's RAW output as `pFail`. */
  readonly graded: readonly GradedPrediction[];
  /** Labels of the same rows (1 = the crowd was wrong). */
  readonly labels: ArrayLike<number>;
  /** `"cross-validation"` (out-of-fold predictions) or `"validation"` (a held-out split). */
  readonly calibration: "validation" | "cross-validation";
  /** Folds, with cross-validation. */
  readonly folds?: number;
  /** Seed of training, also of the bootstrap (unless `bootstrap.seed`) and of the cross-fitted ECE's folds. */
  readonly seed: number;
  readonly method: z.infer<typeof pFailCalibrationOptionSchema>;
  readonly bootstrap?: z.infer<typeof trainBootstrapOptionSchema>;
  readonly presetSpecs?: Readonly<Record<PresetName, PresetSpec>>;
}

/** What {@link calibrateRouterOutputs} returns: the calibration, presets on calibrated `P_fail`, and the figures. */
export interface CalibratedOutputs {
  /** The calibration to store in the bundle (undefined with `method: "none"`). */
  readonly pFailCalibration?: PFailCalibration;
  /**
   * The bootstrap presets (`economy`, `balanced`, `baseline-match`) and, as `<name>-guaranteed`, the presets of
   * {@link GUARANTEED_PRESET_SPECS} with their guarantee in `validation.guaranteedPresets`.
   */
  readonly presets: CalibratedPresets["presets"] & Record<string, number>;
  /** `metadata.validation` of the bundle. */
  readonly validation: Record<string, unknown>;
}

/** Figures of probabilities against labels: AUC, log-loss, ECE (10 equal-width bins), Brier score. */
function probabilityFigures(p: ArrayLike<number>, labels: ArrayLike<number>): Record<string, number> {
  const r = reliabilityReport(p, labels);
  return { auc: rocAuc(p, labels), logloss: logLoss(p, labels), ece: r.ece, brier: r.brier };
}

/**
 * The calibration's figures on rows it was not fitted on: each of 5 stratified folds of the calibration rows is
 * calibrated by a map fitted on the other four (an honest ECE; the in-sample one flatters isotonic calibration).
 */
function crossFitted(
  method: "isotonic" | "platt",
  raw: ArrayLike<number>,
  labels: ArrayLike<number>,
  seed: number,
): Record<string, number> {
  const n = raw.length;
  const k = 5;
  const order = seededPermutation(n, seed);
  const dealt = [...order.filter((i) => labels[i] === 1), ...order.filter((i) => labels[i] !== 1)];
  const fold = new Array<number>(n);
  dealt.forEach((row, j) => {
    fold[row] = j % k;
  });
  const out = new Float64Array(n);
  for (let f = 0; f < k; f++) {
    const rest = fold.flatMap((g, i) => (g === f ? [] : [i]));
    if (rest.length === 0 || rest.length === n) return { ece: Number.NaN, logloss: Number.NaN, brier: Number.NaN };
    const map = fitPFailCalibration(
      method,
      Float64Array.from(rest, (i) => raw[i]),
      Float64Array.from(rest, (i) => labels[i]),
      "fold",
    );
    fold.forEach((g, i) => {
      if (g === f) out[i] = applyPFailCalibration(map, raw[i]);
    });
  }
  const r = reliabilityReport(out, labels);
  return { ece: r.ece, logloss: logLoss(out, labels), brier: r.brier };
}

/**
 * The trainer's calibration step, on predictions the model did not train on: fits the monotone `P_fail` calibration
 * (Platt by default), calibrates the presets on the CALIBRATED predictions with the seeded bootstrap (so a preset is
 * a threshold on a probability, the same scale as Equation 5's barriers), and gathers the figures of
 * `metadata.validation`: AUC and log-loss of the raw output (`auc`, `logloss`), the raw and calibrated AUC, log-loss,
 * ECE and Brier score (`pFail.raw`, `pFail.calibrated`, `pFail.crossFitted`), baselines, and each preset's figures
 * with their bootstrap intervals.
 *
 * Calibration is monotone, so it changes neither the ranking (AUC, up to ties in the flat ends of an isotonic map) nor
 * which queries a threshold can separate: a preset escalates the same queries as the corresponding raw threshold would.
 */
export function calibrateRouterOutputs(input: CalibrateOutputsInput): CalibratedOutputs {
  const { graded, labels } = input;
  const raw = Float64Array.from(graded, (row) => row.pFail);
  const fittedOn =
    input.calibration === "cross-validation"
      ? `out-of-fold predictions (${input.folds ?? 5} folds)`
      : "validation split";
  const pFailCalibration =
    input.method === "none" ? undefined : fitPFailCalibration(input.method, raw, labels, fittedOn);
  const calibrated = pFailCalibration ? raw.map((p) => applyPFailCalibration(pFailCalibration, p)) : raw;
  const rows = graded.map((row, i) => ({ ...row, pFail: calibrated[i] }));
  const bootstrap = { ...input.bootstrap, seed: input.bootstrap?.seed ?? input.seed };
  const result = calibratePresets(rows, input.presetSpecs ?? DEFAULT_PRESET_SPECS, { bootstrap });
  const baselines = tierBaselines(rows);
  let crowdErrors = 0;
  for (let i = 0; i < labels.length; i++) crowdErrors += labels[i];
  const validation: Record<string, unknown> = {
    calibration: input.calibration,
    ...(input.calibration === "cross-validation" ? { folds: input.folds } : {}),
    auc: rocAuc(raw, labels),
    logloss: logLoss(raw, labels),
    crowdErrorRate: crowdErrors / labels.length,
    crowdAccuracy: baselines.crowdAccuracy,
    oracleAccuracy: baselines.oracleAccuracy,
    costModel: result.costModel,
    pFail: {
      method: input.method,
      raw: probabilityFigures(raw, labels),
      ...(pFailCalibration
        ? {
            calibrated: probabilityFigures(calibrated, labels),
            crossFitted: crossFitted(pFailCalibration.method, raw, labels, input.seed),
          }
        : {}),
    },
    ...(result.bootstrap ? { bootstrap: result.bootstrap } : {}),
  };
  const presetFigures: Record<string, unknown> = {};
  for (const name of PRESET_NAMES) {
    const report = result.reports[name];
    presetFigures[name] = { ...report, spec: report.spec };
    validation[`recallOfCrowdErrors@${name}`] = report.recallOfCrowdErrors;
    validation[`accuracy@${name}`] = report.accuracy;
    validation[`costSaving@${name}`] = report.costSaving;
    validation[`escalationRate@${name}`] = report.escalationRate;
  }
  validation.presets = presetFigures;
  // The presets with a stated guarantee (Learn-then-Test), next to the bootstrap ones: `<name>-guaranteed`.
  const guaranteed = calibratePresets(rows, GUARANTEED_PRESET_SPECS, { bootstrap: false });
  const guaranteedFigures: Record<string, unknown> = {};
  const presets: Record<string, number> = { ...result.presets };
  for (const name of PRESET_NAMES) {
    const report = guaranteed.reports[name];
    presets[`${name}-guaranteed`] = report.threshold;
    guaranteedFigures[`${name}-guaranteed`] = report;
  }
  validation.guaranteedPresets = guaranteedFigures;
  return { pFailCalibration, presets: presets as CalibratedOutputs["presets"], validation };
}
