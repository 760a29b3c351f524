import { z } from "zod";
import { PyramidConfigError } from "../../errors/index.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import { presetSpecSchema } from "../../policy/presets.js";
import { pFailCalibrationOptionSchema, trainBootstrapOptionSchema } from "./calibrate_outputs.js";
import type { RouterBundle } from "../bundle.js";
import type { XGBoostRouter } from "../xgboost/xgboost_router.js";
import { validate } from "../../errors/validate.js";

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
    presetSpecs: z
      .object({ economy: presetSpecSchema, balanced: presetSpecSchema, "baseline-match": presetSpecSchema })
      .optional(),
    /**
     * Monotone calibration of `P_fail`, fitted on the same out-of-fold (or validation) predictions as the presets and
     * stored in the bundle: `"platt"` (default: a logistic map, 2 parameters), `"isotonic"` (pool-adjacent-violators),
     * or `"none"`. Platt is the default because isotonic maps fitted on a few hundred rows over-fit: on the holdouts of
     * seeds 1-5 (`npx tsx scripts/preset_holdout_check.ts`) isotonic raised ECE (GSM8K 0.020 -> 0.027, MBPP 0.103 ->
     * 0.123) where Platt kept it (0.021, 0.124), and its flat ends tie queries that no threshold can then separate.
     */
    pFailCalibration: pFailCalibrationOptionSchema.default("platt"),
    /** Bootstrap of the presets' confidence and intervals (default 1000 resamples, seed = `seed`, level 0.9). */
    bootstrap: trainBootstrapOptionSchema.optional(),
  })
  .refine((o) => (o.traces === undefined) !== (o.tracesFile === undefined), {
    message: "pass exactly one of traces and tracesFile",
    path: ["traces"],
  });

/** Options of {@link trainRouter}; see `trainRouterOptionsSchema`. */
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
  readonly calibrationRows: {
    readonly ids: readonly string[];
    readonly rawPFail: Float64Array;
    readonly labels: Float32Array;
  };
}

/** XGBoost parameters as passed to libxgboost. */
export type Params = Record<string, string | number | boolean>;
/** {@link TrainRouterOptions} after validation, with the defaults filled in. */
export type ParsedOptions = z.output<typeof trainRouterOptionsSchema>;

/** Validates {@link TrainRouterOptions}, naming the first bad field. */
export function parseOptions(options: TrainRouterOptions): ParsedOptions {
  return validate(trainRouterOptionsSchema, options, { field: "trainRouter", fix: "see TrainRouterOptions." });
}

/** The training parameters for a training set with the given positive rate. */
export function paramsFor(o: ParsedOptions, positiveRate: number): Params {
  const params: Params = { ...DEFAULT_TRAIN_PARAMS, base_score: Math.fround(positiveRate), seed: o.seed, ...o.params };
  if (params.objective !== "binary:logistic") {
    throw new PyramidConfigError(`objective must be binary:logistic, got ${String(params.objective)}.`, {
      field: "trainRouter.params.objective",
      fix: "leave objective unset: a router predicts the probability that the crowd is wrong.",
    });
  }
  return params;
}
