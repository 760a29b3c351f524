import { basename } from "node:path";
import { z } from "zod";
import { DataFormatError, PyramidConfigError, RouterModelError } from "../../errors/index.js";
import type { EvalTraceLine } from "../../eval/trace_schema.js";
import type { GradedPrediction } from "../../policy/calibrate.js";
import { presetSpecSchema, type CalibratedPresets } from "../../policy/presets.js";
import type { PFailCalibration } from "../calibration/calibrator.js";
import { ROUTER_BUNDLE_FORMAT, ROUTER_BUNDLE_VERSION, type RouterBundle } from "../bundle.js";
import { XGBoostRouter } from "../xgboost/xgboost_router.js";
import { XGBBooster, XGBDMatrix } from "./booster.js";
import { parseTrace, readTraces, selectRows, tracesToDataset, type TraceDataset } from "./dataset.js";
import { loadLibXGBoost, type LibXGBoost } from "./libxgboost.js";
import { seededPermutation } from "./metrics.js";
import { calibrateRouterOutputs, pFailCalibrationOptionSchema, trainBootstrapOptionSchema } from "./calibrate_outputs.js";

/** Name written to `metadata.createdBy`. */
export const ROUTER_CREATED_BY = "pyramid-moa trainRouter";

/**
 * XGBoost parameters used unless overridden by `params`. Shallow, strongly regularized trees: router training sets are
 * small (hundreds of traces) and deeper, less constrained trees overfit them. Chosen by the out-of-fold AUC of the
 * 5-fold cross-validation on the recorded training parts, which the presets are calibrated on (mean of seeds 1-5, MBPP
 * 209 traces: 0.664 against 0.603 with depth 3 / min_child_weight 1 / eta 0.1; GSM8K 663 traces: 0.904 against 0.898;
 * `scripts/router_params_check.ts`).
 */
export const DEFAULT_TRAIN_PARAMS: Readonly<Record<string, string | number | boolean>> = {
  objective: "binary:logistic",
  eval_metric: "logloss",
  tree_method: "hist",
  max_depth: 2,
  eta: 0.05,
  min_child_weight: 10,
  subsample: 1,
  colsample_bytree: 1,
  lambda: 1,
};

const paramValue = z.union([z.string(), z.number(), z.boolean()]);

/** Options of {@link trainRouter}. Exactly one of `traces` / `tracesFile` is required. */
export const trainRouterOptionsSchema = z
  .object({
    /** Graded traces (EvalTraceLine objects). */
    traces: z.array(z.unknown()).optional(),
    /** Path of a traces JSONL file. */
    tracesFile: z.string().min(1).optional(),
    /** Seed of the train/validation shuffle, of the fold assignment and of XGBoost. */
    seed: z.number().int().nonnegative().default(1),
    /**
     * How the presets are calibrated (and the AUC / log-loss / preset figures of
     * `metadata.validation` measured):
     * - `"cross-validation"` (default): the traces are split into `folds` stratified folds; one
     *   booster per fold is trained on the other folds (early stopping on an inner split of those
     *   folds, `validationFraction` of them) and predicts its held fold; the presets are calibrated on
     *   the out-of-fold predictions of ALL traces. The returned model is trained on all traces for
     *   the median of the folds' best rounds, without early stopping.
     * - `"validation"`: one split; `validationFraction` of the traces is held out for early stopping
     *   and calibration, and the model is trained on the rest.
     */
    calibration: z.enum(["validation", "cross-validation"]).default("cross-validation"),
    /** Number of folds with `calibration: "cross-validation"` (at least 2). */
    folds: z.number().int().min(2).default(5),
    /**
     * With `calibration: "validation"`: fraction of the traces held out for validation, early
     * stopping and calibration. With `"cross-validation"`: fraction of each fold's training part
     * held out for early stopping.
     */
    validationFraction: z.number().gt(0).lt(1).default(0.2),
    /** XGBoost parameters, merged over {@link DEFAULT_TRAIN_PARAMS}. */
    params: z.record(z.string(), paramValue).default({}),
    /** Maximum number of boosting rounds. */
    numRounds: z.number().int().positive().default(500),
    /**
     * Stop when the validation log-loss has not improved for this many rounds and keep the best
     * round (0 = train all `numRounds` rounds and keep them all).
     */
    earlyStoppingRounds: z.number().int().nonnegative().default(20),
    /** Data set name for the metadata (default: the traces' benchmark, or the file name). */
    dataset: z.string().min(1).optional(),
    /** Preset definitions (default {@link DEFAULT_PRESET_SPECS}). */
    presetSpecs: z.object({ economy: presetSpecSchema, balanced: presetSpecSchema, "baseline-match": presetSpecSchema }).optional(),
    /**
     * Monotone calibration of `P_fail`, fitted on the same out-of-fold (or validation) predictions as the presets and
     * stored in the bundle: `"isotonic"` (default; pool-adjacent-violators), `"platt"`, or `"none"`.
     */
    pFailCalibration: pFailCalibrationOptionSchema.default("isotonic"),
    /** Bootstrap of the presets' confidence and intervals (default 1000 resamples, seed = `seed`, level 0.9). */
    bootstrap: trainBootstrapOptionSchema.optional(),
  })
  .refine((o) => (o.traces === undefined) !== (o.tracesFile === undefined), {
    message: "pass exactly one of traces and tracesFile",
    path: ["traces"],
  });

/** Options of {@link trainRouter}; see {@link trainRouterOptionsSchema}. */
export type TrainRouterOptions = Omit<z.input<typeof trainRouterOptionsSchema>, "traces"> & {
  /** Graded traces (EvalTraceLine objects, validated like lines of a file). */
  traces?: readonly EvalTraceLine[] | readonly unknown[];
};

/** What {@link trainRouter} returns: the bundle (save it with `saveRouterBundle`) and its router. */
export interface TrainRouterResult {
  /** The router bundle: model, feature names, presets, metadata with validation figures. */
  readonly bundle: RouterBundle;
  /** The trained router, ready to use (evaluated in TypeScript). */
  readonly router: XGBoostRouter;
  /**
   * The validation metric (`eval_metric`, default log-loss) after each round: the early-stopping
   * curve. Empty with `calibration: "cross-validation"` (see `foldCurves`).
   */
  readonly validationCurve: readonly number[];
  /**
   * With `calibration: "cross-validation"`: each fold's early-stopping curve on its inner
   * validation split (empty curves when `earlyStoppingRounds` is 0). Empty with `"validation"`.
   */
  readonly foldCurves: readonly (readonly number[])[];
  /**
   * The predictions the calibration and the presets were fitted on, before calibration: out-of-fold predictions of
   * every trace (cross-validation) or the validation split's, in the traces' canonical order (by id), with their labels
   * (1 = the crowd was wrong) and trace ids.
   */
  readonly calibrationRows: { readonly ids: readonly string[]; readonly rawPFail: Float64Array; readonly labels: Float32Array };
}

function parseOptions(options: TrainRouterOptions): ParsedOptions {
  const parsed = trainRouterOptionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PyramidConfigError(issue.message, {
      field: `trainRouter.${issue.path.map(String).join(".")}`,
      fix: "see TrainRouterOptions.",
    });
  }
  return parsed.data;
}

function gradedRows(traces: readonly EvalTraceLine[], pFail: ArrayLike<number>, where: (i: number) => string): GradedPrediction[] {
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

/** The crowd's member names when every trace lists the same members in the same order (else nothing). */
function memberNamesOf(traces: readonly EvalTraceLine[]): { members?: string[] } {
  const first = traces[0]?.candidates.map((c) => c.model);
  if (!first || first.length === 0) return {};
  const key = first.join("\u0000");
  return traces.every((t) => t.candidates.map((c) => c.model).join("\u0000") === key) ? { members: first } : {};
}

type Params = Record<string, string | number | boolean>;
type ParsedOptions = z.output<typeof trainRouterOptionsSchema>;

/** A trained booster cut to its kept rounds, with its early-stopping curve. */
interface Fit {
  /** The booster to use (owned by the caller's `boosters` list). */
  readonly booster: XGBBooster;
  /** Rounds kept (1-based count). */
  readonly rounds: number;
  /** Rounds trained (the curve's length, or `rounds` without an evaluation set). */
  readonly trained: number;
  /** The evaluation metric after each round (empty without an evaluation set). */
  readonly curve: number[];
}

/** The rate of label 1, refusing a one-class training set (there would be nothing to learn). */
function positiveRateOf(labels: Float32Array, what: string, fix: string): number {
  const rate = labels.reduce((a, b) => a + b, 0) / labels.length;
  if (rate === 0 || rate === 1) {
    throw new DataFormatError(`every crowd answer in ${what} is ${rate === 0 ? "correct" : "wrong"}: there is nothing to learn.`, {
      field: "traces",
      fix,
    });
  }
  return rate;
}

/** The training parameters for a training set with the given positive rate. */
function paramsFor(o: ParsedOptions, positiveRate: number): Params {
  const params: Params = { ...DEFAULT_TRAIN_PARAMS, base_score: Math.fround(positiveRate), seed: o.seed, ...o.params };
  if (params.objective !== "binary:logistic") {
    throw new PyramidConfigError(`objective must be binary:logistic, got ${String(params.objective)}.`, {
      field: "trainRouter.params.objective",
      fix: "leave objective unset: a router predicts the probability that the crowd is wrong.",
    });
  }
  return params;
}

/**
 * Boosts on `train` for up to `maxRounds` rounds. With `valid`, evaluates the metric after each round
 * and, when `earlyStoppingRounds > 0`, stops early and cuts the model to its best round; without it,
 * trains exactly `maxRounds` rounds.
 */
function fit(
  lib: LibXGBoost,
  train: XGBDMatrix,
  valid: XGBDMatrix | undefined,
  params: Params,
  featureNames: readonly string[],
  maxRounds: number,
  earlyStoppingRounds: number,
  boosters: XGBBooster[],
): Fit {
  const booster = XGBBooster.create(lib, valid ? [train, valid] : [train]);
  boosters.push(booster);
  for (const [name, value] of Object.entries(params)) booster.setParam(name, value);
  booster.setFeatureNames(featureNames);
  if (!valid) {
    for (let round = 0; round < maxRounds; round++) booster.updateOneIter(round, train);
    return { booster, rounds: maxRounds, trained: maxRounds, curve: [] };
  }
  const metric = String(params.eval_metric).split(",").pop() ?? "logloss";
  const metricName = `valid-${metric}`;
  // XGBoost's own rule: metrics starting with auc / map / ndcg / pre are maximised.
  const sign = /^(auc|aucpr|map|ndcg|pre)/.test(metric) ? -1 : 1;
  const curve: number[] = [];
  let best = 0;
  for (let round = 0; round < maxRounds; round++) {
    booster.updateOneIter(round, train);
    const scores = booster.evalOneIter(round, [valid], ["valid"]);
    const score = scores[metricName];
    if (score === undefined) {
      throw new RouterModelError(`libxgboost reported no ${metricName} (got ${Object.keys(scores).join(", ")}).`, {
        field: "trainRouter.params.eval_metric",
        fix: "use an eval_metric XGBoost knows for binary:logistic, e.g. logloss or auc.",
      });
    }
    curve.push(score);
    if (sign * score < sign * curve[best]) best = round;
    if (earlyStoppingRounds > 0 && round - best >= earlyStoppingRounds) break;
  }
  // Without early stopping every round is kept; with it, the model is cut to its best round.
  if (earlyStoppingRounds === 0) best = curve.length - 1;
  if (best + 1 >= curve.length) return { booster, rounds: best + 1, trained: curve.length, curve };
  const cut = booster.slice(0, best + 1);
  boosters.push(cut);
  return { booster: cut, rounds: best + 1, trained: curve.length, curve };
}

/** A matrix of the given rows with their labels. */
function matrixOf(lib: LibXGBoost, dataset: TraceDataset, rows: readonly number[], matrices: XGBDMatrix[]): XGBDMatrix {
  const matrix = new XGBDMatrix(lib, selectRows(dataset.matrix, rows), {
    labels: Float32Array.from(rows, (i) => dataset.labels[i]),
    featureNames: dataset.featureNames,
  });
  matrices.push(matrix);
  return matrix;
}

/** The saved model of a booster, checked against libxgboost's own predictions on `rows`. */
function savedModel(booster: XGBBooster, lib: LibXGBoost, dataset: TraceDataset, rows: readonly number[], check: XGBDMatrix): { model: unknown; pFail: Float64Array } {
  const model = JSON.parse(booster.saveJson()) as unknown;
  const libPredictions = booster.predict(check);
  const router = XGBoostRouter.fromJSON(model, { source: "trained model" });
  const cols = dataset.matrix.cols;
  const pFail = Float64Array.from(router.predictBatch(rows.map((i) => dataset.matrix.data.subarray(i * cols, (i + 1) * cols))));
  // The TypeScript evaluator must reproduce libxgboost; a difference would mean the saved model is
  // not what was trained.
  pFail.forEach((p, k) => {
    if (Math.abs(p - libPredictions[k]) > 1e-5) {
      throw new RouterModelError(`the saved model predicts ${p} on row ${rows[k]} where libxgboost predicts ${libPredictions[k]}.`, {
        field: "trained model",
        fix: "report this as a bug in pyramid-moa's XGBoost evaluator.",
      });
    }
  });
  return { model, pFail };
}

/** The calibration step (see `calibrateRouterOutputs`) with the training options. */
function calibrationFigures(
  graded: readonly GradedPrediction[],
  labels: Float32Array,
  o: ParsedOptions,
): { presets: CalibratedPresets["presets"]; validation: Record<string, unknown>; pFailCalibration?: PFailCalibration } {
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

/**
 * Trains a router with the real XGBoost library (libxgboost through koffi) on graded traces
 * (label `crowdCorrect ? 0 : 1`, `null` features as missing), then calibrates the presets
 * (`economy`, `balanced`, `baseline-match`) and records AUC, log-loss and each preset's recall of
 * crowd errors, accuracy and cost saving in `metadata.validation`; feature importance is XGBoost's
 * gain.
 *
 * - `calibration: "cross-validation"` (default): `folds` stratified folds (seeded by `seed`); for each
 *   fold a booster is trained on the other folds, early-stopping on an inner `validationFraction`
 *   split of them (so the held fold stays clean), and predicts the held fold. The presets and figures
 *   come from the out-of-fold predictions of every trace (`metadata.validationRows` = all traces,
 *   `metadata.validation.calibration` = `"cross-validation"`, `.folds`). The returned model is trained
 *   on all traces for the median of the folds' best rounds (`metadata.rounds.folds`), without early
 *   stopping.
 * - `calibration: "validation"`: the traces are shuffled with `seed` and `validationFraction` of them
 *   held out; boosting stops early on the held-out log-loss, the model is cut to its best round and
 *   the presets are calibrated on the held-out rows.
 *
 * The calibration rows (out-of-fold predictions, or the validation split) also fit the monotone `P_fail` calibration
 * stored in the bundle (`pFailCalibration`, isotonic by default) and applied by the returned router; the presets are
 * thresholds on the calibrated `P_fail`, chosen so that each target holds in 90% of bootstrap resamples of those rows
 * (`DEFAULT_PRESET_SPECS`), with their intervals in `metadata.validation.presets`.
 *
 * The result is deterministic for a seed (byte-for-byte the same bundle) and does not depend on the order of the
 * traces: they are put in order of `id` before the split or the folds are drawn.
 *
 * @throws MissingDependencyError when libxgboost cannot be loaded (`apt-get install -y libxgboost0`).
 * @throws DataFormatError for unusable traces (malformed, mixed feature sets, one class only, too few
 *   for the split or the folds).
 */
export function trainRouter(options: TrainRouterOptions): TrainRouterResult {
  const o = parseOptions(options);
  const at = (i: number): string => (o.tracesFile ? `${o.tracesFile} (trace ${i + 1})` : `traces[${i}]`);
  const given: EvalTraceLine[] = o.tracesFile
    ? readTraces(o.tracesFile)
    : (o.traces ?? []).map((trace, i) => parseTrace(trace, `traces[${i}]`));
  // Canonical order (by id, stable): splits and folds then do not depend on the order the traces were written in.
  const order = given.map((_, i) => i).sort((a, b) => (given[a].id < given[b].id ? -1 : given[a].id > given[b].id ? 1 : a - b));
  const traces = order.map((i) => given[i]);
  const where = (i: number): string => at(order[i]);
  const dataset = tracesToDataset(traces, where);
  return o.calibration === "validation" ? trainWithValidation(o, traces, dataset, where) : trainWithCrossValidation(o, traces, dataset, where);
}

function datasetNameOf(o: ParsedOptions, traces: readonly EvalTraceLine[]): string {
  return (
    o.dataset ??
    (new Set(traces.map((t) => t.benchmark)).size === 1 ? traces[0].benchmark : undefined) ??
    (o.tracesFile ? basename(o.tracesFile) : "traces")
  );
}

function bundleOf(
  o: ParsedOptions,
  traces: readonly EvalTraceLine[],
  dataset: TraceDataset,
  lib: LibXGBoost,
  parts: {
    model: unknown;
    presets: CalibratedPresets["presets"];
    pFailCalibration?: PFailCalibration;
    validation: Record<string, unknown>;
    trainRows: number;
    validationRows: number;
    params: Params;
    rounds: Record<string, unknown> & { best: number; trained: number; max: number };
    importance: Record<string, number>;
  },
): RouterBundle {
  return {
    format: ROUTER_BUNDLE_FORMAT,
    version: ROUTER_BUNDLE_VERSION,
    featureNames: [...dataset.featureNames],
    model: parts.model,
    ...(parts.pFailCalibration ? { pFailCalibration: parts.pFailCalibration } : {}),
    presets: parts.presets,
    metadata: {
      dataset: datasetNameOf(o, traces),
      ...memberNamesOf(traces),
      createdBy: `${ROUTER_CREATED_BY} (libxgboost ${lib.version.join(".")})`,
      trainRows: parts.trainRows,
      validationRows: parts.validationRows,
      seed: o.seed,
      params: parts.params,
      rounds: parts.rounds,
      validation: parts.validation as RouterBundle["metadata"]["validation"],
      importance: parts.importance,
    },
  };
}

function trainWithValidation(o: ParsedOptions, traces: readonly EvalTraceLine[], dataset: TraceDataset, where: (i: number) => string): TrainRouterResult {
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
  const params = paramsFor(o, positiveRate);
  const boosters: XGBBooster[] = [];
  const matrices: XGBDMatrix[] = [];
  try {
    const train = matrixOf(lib, dataset, trainIdx, matrices);
    const valid = matrixOf(lib, dataset, validIdx, matrices);
    const result = fit(lib, train, valid, params, dataset.featureNames, o.numRounds, o.earlyStoppingRounds, boosters);
    const { model, pFail } = savedModel(result.booster, lib, dataset, validIdx, valid);
    const graded = validationGraded.map((row, k) => ({ ...row, pFail: pFail[k] }));
    const { presets, validation, pFailCalibration } = calibrationFigures(graded, validLabels, o);
    const bundle = bundleOf(o, traces, dataset, lib, {
      model,
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
      router: XGBoostRouter.fromJSON(model, { presets, calibration: pFailCalibration, source: "trained model" }),
      validationCurve: result.curve,
      foldCurves: [],
      calibrationRows: { ids: validIdx.map((i) => traces[i].id), rawPFail: Float64Array.from(pFail), labels: validLabels },
    };
  } finally {
    for (const b of boosters) b.free();
    for (const m of matrices) m.free();
  }
}

function trainWithCrossValidation(o: ParsedOptions, traces: readonly EvalTraceLine[], dataset: TraceDataset, where: (i: number) => string): TrainRouterResult {
  const n = dataset.matrix.rows;
  const k = o.folds;
  const fewest = n - Math.ceil(n / k); // rows in the smallest training part
  const inner = o.earlyStoppingRounds > 0 ? Math.round(fewest * o.validationFraction) : 0;
  if (n < k || fewest - inner < 2 || (o.earlyStoppingRounds > 0 && inner < 1)) {
    throw new DataFormatError(`${n} traces are too few for ${k} folds${o.earlyStoppingRounds > 0 ? ` with ${o.validationFraction} of each training part held out for early stopping` : ""}.`, {
      field: "traces",
      fix: "record more graded traces (hundreds are advisable), or pass fewer folds.",
    });
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
  const finalParams = paramsFor(o, positiveRate);
  const oof = new Float64Array(n);
  const foldRounds: number[] = [];
  const foldCurves: number[][] = [];
  for (let f = 0; f < k; f++) {
    const held = foldOf.flatMap((fold, i) => (fold === f ? [i] : []));
    const rest = foldOf.flatMap((fold, i) => (fold === f ? [] : [i]));
    // Early stopping on an inner split of the training folds: the held fold stays unseen.
    const innerOrder = seededPermutation(rest.length, o.seed + 1 + f);
    const innerSize = o.earlyStoppingRounds > 0 ? Math.round(rest.length * o.validationFraction) : 0;
    const innerValid = innerOrder.slice(0, innerSize).map((j) => rest[j]).sort((a, b) => a - b);
    const innerTrain = innerOrder.slice(innerSize).map((j) => rest[j]).sort((a, b) => a - b);
    const rate = positiveRateOf(
      Float32Array.from(innerTrain, (i) => dataset.labels[i]),
      `the training part of fold ${f + 1} of ${k}`,
      "pass fewer folds, or calibration: \"validation\", or record traces with more crowd errors (and successes).",
    );
    const boosters: XGBBooster[] = [];
    const matrices: XGBDMatrix[] = [];
    try {
      const train = matrixOf(lib, dataset, innerTrain, matrices);
      const valid = innerValid.length > 0 ? matrixOf(lib, dataset, innerValid, matrices) : undefined;
      const heldMatrix = matrixOf(lib, dataset, held, matrices);
      const result = fit(lib, train, valid, paramsFor(o, rate), dataset.featureNames, o.numRounds, o.earlyStoppingRounds, boosters);
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
    const train = matrixOf(lib, dataset, all, matrices);
    const result = fit(lib, train, undefined, finalParams, dataset.featureNames, rounds, 0, boosters);
    const { model } = savedModel(result.booster, lib, dataset, all, train);
    const graded = allGraded.map((row, i) => ({ ...row, pFail: oof[i] }));
    const { presets, validation, pFailCalibration } = calibrationFigures(graded, dataset.labels, o);
    const bundle = bundleOf(o, traces, dataset, lib, {
      model,
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
      router: XGBoostRouter.fromJSON(model, { presets, calibration: pFailCalibration, source: "trained model" }),
      validationCurve: [],
      foldCurves,
      calibrationRows: { ids: traces.map((t) => t.id), rawPFail: Float64Array.from(oof), labels: Float32Array.from(dataset.labels) },
    };
  } finally {
    for (const b of boosters) b.free();
    for (const m of matrices) m.free();
  }
}
