import { DataFormatError } from "../../errors/index.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import { XGBoostRouter } from "../xgboost/xgboost_router.js";
import type { XGBBooster, XGBDMatrix } from "./booster.js";
import { bundleOf } from "./bundle.js";
import { calibrationFigures, gradedRows } from "./calibration.js";
import type { TraceDataset } from "./dataset.js";
import { fit, matrixOf, positiveRateOf, ruleStartFor, savedModel } from "./fit.js";
import { loadLibXGBoost } from "./libxgboost.js";
import { seededPermutation } from "./metrics.js";
import { paramsFor, type ParsedOptions, type TrainRouterResult } from "./options.js";

/** `calibration: "validation"`: one seeded split; early stopping and calibration on the held-out part. */
export function trainWithValidation(
  o: ParsedOptions,
  traces: readonly EvalTraceLine[],
  dataset: TraceDataset,
  where: (i: number) => string,
): TrainRouterResult {
  const n = dataset.matrix.rows;
  const validationRows = Math.round(n * o.validationFraction);
  if (validationRows < 1 || n - validationRows < 2) {
    throw new DataFormatError(`${n} traces are too few to split ${o.validationFraction} for validation.`, {
      field: "traces",
      fix: "record more graded traces (hundreds are advisable).",
    });
  }
  const order = seededPermutation(n, o.seed);
  const validIdx = order.slice(0, validationRows).sort((a, b) => a - b);
  const trainIdx = order.slice(validationRows).sort((a, b) => a - b);
  const validLabels = Float32Array.from(validIdx, (i) => dataset.labels[i]);
  const positiveRate = positiveRateOf(
    Float32Array.from(trainIdx, (i) => dataset.labels[i]),
    "the training split",
    "train on traces where the crowd is sometimes right and sometimes wrong.",
  );
  // Checked before training (P_fail filled in after it): calibration needs the Oracle graded.
  const validationGraded = gradedRows(
    validIdx.map((i) => traces[i]),
    new Float64Array(validIdx.length),
    (k) => where(validIdx[k]),
  );
  const lib = loadLibXGBoost();
  const start = ruleStartFor(o, dataset, trainIdx);
  const params = paramsFor(o, positiveRate, dataset.featureNames, start !== undefined);
  const boosters: XGBBooster[] = [];
  const matrices: XGBDMatrix[] = [];
  try {
    const train = matrixOf(lib, dataset, trainIdx, matrices, start);
    const valid = matrixOf(lib, dataset, validIdx, matrices, start);
    const result = fit(lib, train, valid, params, dataset.featureNames, o.numRounds, o.earlyStoppingRounds, boosters);
    const { model, pFail } = savedModel(result.booster, dataset, validIdx, valid, start);
    const graded = validationGraded.map((row, k) => ({ ...row, pFail: pFail[k] }));
    const { presets, validation, pFailCalibration } = calibrationFigures(graded, validLabels, o);
    const bundle = bundleOf(o, traces, dataset, lib, {
      model,
      ruleOffset: start?.offset,
      presets,
      pFailCalibration,
      validation,
      trainRows: trainIdx.length,
      validationRows: validIdx.length,
      params,
      rounds: { best: result.rounds, trained: result.trained, max: o.numRounds },
      importance: result.booster.featureScore("gain"),
    });
    return {
      bundle,
      router: XGBoostRouter.fromJSON(model, {
        presets,
        calibration: pFailCalibration,
        source: "trained model",
        ...(start ? { ruleOffset: start.offset } : {}),
      }),
      validationCurve: result.curve,
      foldCurves: [],
      calibrationRows: {
        ids: validIdx.map((i) => traces[i].id),
        rawPFail: Float64Array.from(pFail),
        labels: validLabels,
      },
    };
  } finally {
    for (const b of boosters) b.free();
    for (const m of matrices) m.free();
  }
}
