import { DataFormatError } from "../../errors/index.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import { tierBaselines, type GradedPrediction } from "../../policy/calibrate.js";
import { calibratePresets, DEFAULT_PRESET_SPECS, PRESET_NAMES, type CalibratedPresets } from "../../policy/presets.js";
import { logLoss, rocAuc } from "./metrics.js";
import type { ParsedOptions } from "./options.js";

/** The traces as graded predictions with these `pFail`s, refusing a trace whose Oracle was not graded. */
export function gradedRows(traces: readonly EvalTraceLine[], pFail: ArrayLike<number>, where: (i: number) => string): GradedPrediction[] {
  return traces.map((trace, i) => {
    if (trace.oracleCorrect === undefined) {
      throw new DataFormatError("the trace has no oracleCorrect; calibration needs the Oracle graded on every query.", {
        field: where(i),
        fix: "record traces with `pyramid-moa eval`, which evaluates the Oracle on every query.",
      });
    }
    return {
      pFail: pFail[i],
      crowdCorrect: trace.crowdCorrect,
      oracleCorrect: trace.oracleCorrect,
      crowdCost: trace.cost.crowd,
      oracleCost: trace.cost.oracle,
      oracleOnlyCost: trace.cost.oracleOnly,
    };
  });
}

/** AUC, log-loss, baselines and calibrated presets with their figures, on graded predictions. */
export function calibrationFigures(
  graded: readonly GradedPrediction[],
  labels: Float32Array,
  o: ParsedOptions,
): { presets: CalibratedPresets["presets"]; validation: Record<string, unknown> } {
  const pFail = graded.map((row) => row.pFail);
  const calibrated = calibratePresets(graded, o.presetSpecs ?? DEFAULT_PRESET_SPECS);
  const baselines = tierBaselines(graded);
  const presetFigures: Record<string, unknown> = {};
  const validation: Record<string, unknown> = {
    calibration: o.calibration,
    ...(o.calibration === "cross-validation" ? { folds: o.folds } : {}),
    auc: rocAuc(pFail, labels),
    logloss: logLoss(pFail, labels),
    crowdErrorRate: labels.reduce((a, b) => a + b, 0) / labels.length,
    crowdAccuracy: baselines.crowdAccuracy,
    oracleAccuracy: baselines.oracleAccuracy,
    costModel: calibrated.costModel,
  };
  for (const name of PRESET_NAMES) {
    const report = calibrated.reports[name];
    presetFigures[name] = { ...report, spec: report.spec };
    validation[`recallOfCrowdErrors@${name}`] = report.recallOfCrowdErrors;
    validation[`accuracy@${name}`] = report.accuracy;
    validation[`costSaving@${name}`] = report.costSaving;
    validation[`escalationRate@${name}`] = report.escalationRate;
  }
  validation.presets = presetFigures;
  return { presets: calibrated.presets, validation };
}
