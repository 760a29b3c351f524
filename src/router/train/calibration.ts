import { DataFormatError } from "../../errors/index.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import type { GradedPrediction } from "../../policy/calibrate.js";
import type { CalibratedPresets } from "../../policy/presets.js";
import type { PFailCalibration } from "../calibration/calibrator.js";
import { calibrateRouterOutputs } from "./calibrate_outputs.js";
import type { ParsedOptions } from "./options.js";

/** The traces as graded predictions with these `pFail`s, refusing a trace whose Oracle was not graded. */
export function gradedRows(
  traces: readonly EvalTraceLine[],
  pFail: ArrayLike<number>,
  where: (i: number) => string,
): GradedPrediction[] {
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

/**
 * The calibration step on graded predictions the model did not train on (see `calibrateRouterOutputs`): the `P_fail`
 * calibration, the presets on the calibrated predictions, and the figures of `metadata.validation`.
 */
export function calibrationFigures(
  graded: readonly GradedPrediction[],
  labels: Float32Array,
  o: ParsedOptions,
): {
  presets: CalibratedPresets["presets"] & Record<string, number>;
  validation: Record<string, unknown>;
  pFailCalibration?: PFailCalibration;
} {
  return calibrateRouterOutputs({
    graded,
    labels,
    calibration: o.calibration,
    folds: o.folds,
    seed: o.seed,
    method: o.pFailCalibration,
    bootstrap: o.bootstrap,
    presetSpecs: o.presetSpecs,
  });
}
