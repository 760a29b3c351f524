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

/**
 * Stratified folds: the traces in a seeded order, crowd errors first, dealt round-robin, so that
 * every fold has (within one) the same size and the same number of crowd errors.
 */
export function stratifiedFolds(labels: ArrayLike<number>, folds: number, seed: number): number[] {
  const order = seededPermutation(labels.length, seed);
  const dealt = [...order.filter((i) => labels[i] === 1), ...order.filter((i) => labels[i] !== 1)];
  const fold = new Array<number>(labels.length).fill(0);
  dealt.forEach((row, k) => {
    fold[row] = k % folds;
  });
  return fold;
}

/** The median of integers, rounded to an integer (the mean of the two middle ones, rounded, for an even count). */
function medianRounds(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/** `calibration: "cross-validation"`: out-of-fold predictions for calibration, then one model on every trace. */
export function trainWithCrossValidation(
  o: ParsedOptions,
  traces: readonly EvalTraceLine[],
  dataset: TraceDataset,
  where: (i: number) => string,
): TrainRouterResult {
  const n = dataset.matrix.rows;
  const k = o.folds;
  const fewest = n - Math.ceil(n / k); // rows in the smallest training part
  const inner = o.earlyStoppingRounds > 0 ? Math.round(fewest * o.validationFraction) : 0;
  if (n < k || fewest - inner < 2 || (o.earlyStoppingRounds > 0 && inner < 1)) {
    throw new DataFormatError(
      `${n} traces are too few for ${k} folds${o.earlyStoppingRounds > 0 ? ` with ${o.validationFraction} of each training part held out for early stopping` : ""}.`,
      {
        field: "traces",
        fix: "record more graded traces (hundreds are advisable), or pass fewer folds.",
      },
    );
  }
  const positiveRate = positiveRateOf(
    dataset.labels,
    "the training split",
    `train on traces where the crowd is sometimes right and sometimes wrong (with cross-validation the training split is all ${n} traces).`,
  );
  // Checked before training (P_fail filled in after it): calibration needs the Oracle graded.
  const allGraded = gradedRows(traces, new Float64Array(n), where);
  const foldOf = stratifiedFolds(dataset.labels, k, o.seed);
  const lib = loadLibXGBoost();
  const finalStart = ruleStartFor(
    o,
    dataset,
    Array.from({ length: n }, (_, i) => i),
  );
  const finalParams = paramsFor(o, positiveRate, dataset.featureNames, finalStart !== undefined);
  const oof = new Float64Array(n);
  const foldRounds: number[] = [];
  const foldCurves: number[][] = [];
  for (let f = 0; f < k; f++) {
    const held = foldOf.flatMap((fold, i) => (fold === f ? [i] : []));
    const rest = foldOf.flatMap((fold, i) => (fold === f ? [] : [i]));
    // Early stopping on an inner split of the training folds: the held fold stays unseen.
    const innerOrder = seededPermutation(rest.length, o.seed + 1 + f);
    const innerSize = o.earlyStoppingRounds > 0 ? Math.round(rest.length * o.validationFraction) : 0;
    const innerValid = innerOrder
      .slice(0, innerSize)
      .map((j) => rest[j])
      .sort((a, b) => a - b);
    const innerTrain = innerOrder
      .slice(innerSize)
      .map((j) => rest[j])
      .sort((a, b) => a - b);
    const rate = positiveRateOf(
      Float32Array.from(innerTrain, (i) => dataset.labels[i]),
      `the training part of fold ${f + 1} of ${k}`,
      'pass fewer folds, or calibration: "validation", or record traces with more crowd errors (and successes).',
    );
    const boosters: XGBBooster[] = [];
    const matrices: XGBDMatrix[] = [];
    // The rule's offset is fitted on the fold's training rows only, like the trees.
    const start = ruleStartFor(o, dataset, innerTrain);
    try {
      const train = matrixOf(lib, dataset, innerTrain, matrices, start);
      const valid = innerValid.length > 0 ? matrixOf(lib, dataset, innerValid, matrices, start) : undefined;
      const heldMatrix = matrixOf(lib, dataset, held, matrices, start);
      const result = fit(
        lib,
        train,
        valid,
        paramsFor(o, rate, dataset.featureNames, start !== undefined),
        dataset.featureNames,
        o.numRounds,
        o.earlyStoppingRounds,
        boosters,
      );
      const predictions = result.booster.predict(heldMatrix);
      held.forEach((row, j) => {
        oof[row] = predictions[j];
      });
      foldRounds.push(result.rounds);
      foldCurves.push(result.curve);
    } finally {
      for (const b of boosters) b.free();
      for (const m of matrices) m.free();
    }
  }
  const rounds = medianRounds(foldRounds);
  const all = Array.from({ length: n }, (_, i) => i);
  const boosters: XGBBooster[] = [];
  const matrices: XGBDMatrix[] = [];
  try {
    const train = matrixOf(lib, dataset, all, matrices, finalStart);
    const result = fit(lib, train, undefined, finalParams, dataset.featureNames, rounds, 0, boosters);
    const { model } = savedModel(result.booster, dataset, all, train, finalStart);
    const graded = allGraded.map((row, i) => ({ ...row, pFail: oof[i] }));
    const { presets, validation, pFailCalibration } = calibrationFigures(graded, dataset.labels, o);
    const bundle = bundleOf(o, traces, dataset, lib, {
      model,
      ruleOffset: finalStart?.offset,
      presets,
      pFailCalibration,
      validation,
      trainRows: n,
      validationRows: n,
      params: finalParams,
      rounds: { best: rounds, trained: rounds, max: o.numRounds, folds: foldRounds },
      importance: result.booster.featureScore("gain"),
    });
    return {
      bundle,
      router: XGBoostRouter.fromJSON(model, {
        presets,
        calibration: pFailCalibration,
        source: "trained model",
        ...(finalStart ? { ruleOffset: finalStart.offset } : {}),
      }),
      validationCurve: [],
      foldCurves,
      calibrationRows: {
        ids: traces.map((t) => t.id),
        rawPFail: Float64Array.from(oof),
        labels: Float32Array.from(dataset.labels),
      },
    };
  } finally {
    for (const b of boosters) b.free();
    for (const m of matrices) m.free();
  }
}
