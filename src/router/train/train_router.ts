import { basename } from "node:path";
import { z } from "zod";
import { DataFormatError, PyramidConfigError, RouterModelError } from "../../errors/index.js";
import type { EvalTraceLine } from "../../eval/trace_schema.js";
import { tierBaselines, type GradedPrediction } from "../../policy/calibrate.js";
import { calibratePresets, DEFAULT_PRESET_SPECS, presetSpecSchema, PRESET_NAMES } from "../../policy/presets.js";
import { ROUTER_BUNDLE_FORMAT, ROUTER_BUNDLE_VERSION, type RouterBundle } from "../bundle.js";
import { XGBoostRouter } from "../xgboost/xgboost_router.js";
import { XGBBooster, XGBDMatrix } from "./booster.js";
import { parseTrace, readTraces, selectRows, tracesToDataset } from "./dataset.js";
import { loadLibXGBoost } from "./libxgboost.js";
import { logLoss, rocAuc, seededPermutation } from "./metrics.js";

/** Name written to `metadata.createdBy`. */
export const ROUTER_CREATED_BY = "pyramid-moa trainRouter";

/** XGBoost parameters used unless overridden by `params`. */
export const DEFAULT_TRAIN_PARAMS: Readonly<Record<string, string | number | boolean>> = {
  objective: "binary:logistic",
  eval_metric: "logloss",
  tree_method: "hist",
  max_depth: 3,
  eta: 0.1,
  min_child_weight: 1,
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
    /** Seed of the train/validation shuffle and of XGBoost. */
    seed: z.number().int().nonnegative().default(1),
    /** Fraction of the traces held out for validation, early stopping and calibration. */
    validationFraction: z.number().gt(0).lt(1).default(0.2),
    /** XGBoost parameters, merged over {@link DEFAULT_TRAIN_PARAMS}. */
    params: z.record(z.string(), paramValue).default({}),
    /** Maximum number of boosting rounds. */
    numRounds: z.number().int().positive().default(200),
    /**
     * Stop when the validation log-loss has not improved for this many rounds and keep the best
     * round (0 = train all `numRounds` rounds and keep them all).
     */
    earlyStoppingRounds: z.number().int().nonnegative().default(20),
    /** Data set name for the metadata (default: the traces' benchmark, or the file name). */
    dataset: z.string().min(1).optional(),
    /** Preset definitions (default {@link DEFAULT_PRESET_SPECS}). */
    presetSpecs: z.object({ economy: presetSpecSchema, balanced: presetSpecSchema, "baseline-match": presetSpecSchema }).optional(),
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
  /** The validation metric (`eval_metric`, default log-loss) after each round: the early-stopping curve. */
  readonly validationCurve: readonly number[];
}

function parseOptions(options: TrainRouterOptions): z.output<typeof trainRouterOptionsSchema> {
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

/**
 * Trains a router with the real XGBoost library (libxgboost through koffi) on graded traces.
 *
 * The traces (label `crowdCorrect ? 0 : 1`, `null` features as missing) are shuffled with `seed`
 * and split into training and validation; boosting stops early on the validation log-loss and the
 * model is cut to its best round. On the validation split it then measures AUC and log-loss,
 * calibrates the presets (`economy`, `balanced`, `baseline-match`) and records each preset's recall
 * of crowd errors, accuracy and cost saving; feature importance is XGBoost's gain.
 *
 * @throws MissingDependencyError when libxgboost cannot be loaded (`apt-get install -y libxgboost0`).
 * @throws DataFormatError for unusable traces (malformed, mixed feature sets, one class only).
 */
export function trainRouter(options: TrainRouterOptions): TrainRouterResult {
  const o = parseOptions(options);
  const where = (i: number): string => (o.tracesFile ? `${o.tracesFile} (trace ${i + 1})` : `traces[${i}]`);
  const traces: EvalTraceLine[] = o.tracesFile
    ? readTraces(o.tracesFile)
    : (o.traces ?? []).map((trace, i) => parseTrace(trace, `traces[${i}]`));
  const dataset = tracesToDataset(traces, where);
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
  const trainLabels = Float32Array.from(trainIdx, (i) => dataset.labels[i]);
  const validLabels = Float32Array.from(validIdx, (i) => dataset.labels[i]);
  const positiveRate = trainLabels.reduce((a, b) => a + b, 0) / trainLabels.length;
  if (positiveRate === 0 || positiveRate === 1) {
    throw new DataFormatError(
      `every crowd answer in the training split is ${positiveRate === 0 ? "correct" : "wrong"}: there is nothing to learn.`,
      { field: "traces", fix: "train on traces where the crowd is sometimes right and sometimes wrong." },
    );
  }
  // Checked before training (P_fail filled in after it): calibration needs the Oracle graded.
  const validationGraded = gradedRows(
    validIdx.map((i) => traces[i]),
    new Float64Array(validIdx.length),
    (k) => where(validIdx[k]),
  );

  const lib = loadLibXGBoost();
  const params: Record<string, string | number | boolean> = {
    ...DEFAULT_TRAIN_PARAMS,
    base_score: Math.fround(positiveRate),
    seed: o.seed,
    ...o.params,
  };
  if (params.objective !== "binary:logistic") {
    throw new PyramidConfigError(`objective must be binary:logistic, got ${String(params.objective)}.`, {
      field: "trainRouter.params.objective",
      fix: "leave objective unset: a router predicts the probability that the crowd is wrong.",
    });
  }
  const train = new XGBDMatrix(lib, selectRows(dataset.matrix, trainIdx), {
    labels: trainLabels,
    featureNames: dataset.featureNames,
  });
  const valid = new XGBDMatrix(lib, selectRows(dataset.matrix, validIdx), {
    labels: validLabels,
    featureNames: dataset.featureNames,
  });
  const boosters: XGBBooster[] = [];
  try {
    const booster = XGBBooster.create(lib, [train, valid]);
    boosters.push(booster);
    for (const [name, value] of Object.entries(params)) booster.setParam(name, value);
    booster.setFeatureNames(dataset.featureNames);
    const metric = String(params.eval_metric).split(",").pop() ?? "logloss";
    const metricName = `valid-${metric}`;
    // XGBoost's own rule: metrics starting with auc / map / ndcg / pre are maximised.
    const sign = /^(auc|aucpr|map|ndcg|pre)/.test(metric) ? -1 : 1;
    const curve: number[] = [];
    let best = 0;
    for (let round = 0; round < o.numRounds; round++) {
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
      if (o.earlyStoppingRounds > 0 && round - best >= o.earlyStoppingRounds) break;
    }
    // Without early stopping every round is kept; with it, the model is cut to its best round.
    if (o.earlyStoppingRounds === 0) best = curve.length - 1;
    const final = best + 1 < curve.length ? booster.slice(0, best + 1) : booster;
    if (final !== booster) boosters.push(final);
    const modelText = final.saveJson();
    const model = JSON.parse(modelText) as unknown;
    const importance = final.featureScore("gain");
    const libPredictions = final.predict(valid);
    const router = XGBoostRouter.fromJSON(model, { source: "trained model" });
    const pFail = router.predictBatch(validIdx.map((i) => dataset.matrix.data.subarray(i * dataset.matrix.cols, (i + 1) * dataset.matrix.cols)));
    // The TypeScript evaluator must reproduce libxgboost on the validation rows; a difference
    // would mean the saved model is not what was trained.
    pFail.forEach((p, k) => {
      if (Math.abs(p - libPredictions[k]) > 1e-5) {
        throw new RouterModelError(
          `the saved model predicts ${p} on validation row ${k} where libxgboost predicts ${libPredictions[k]}.`,
          { field: "trained model", fix: "report this as a bug in pyramid-moa's XGBoost evaluator." },
        );
      }
    });
    const graded = validationGraded.map((row, k) => ({ ...row, pFail: pFail[k] }));
    const calibrated = calibratePresets(graded, o.presetSpecs ?? DEFAULT_PRESET_SPECS);
    const baselines = tierBaselines(graded);
    const presetFigures: Record<string, unknown> = {};
    const validation: Record<string, unknown> = {
      auc: rocAuc(pFail, validLabels),
      logloss: logLoss(pFail, validLabels),
      crowdErrorRate: validLabels.reduce((a, b) => a + b, 0) / validLabels.length,
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
    const datasetName =
      o.dataset ?? (new Set(traces.map((t) => t.benchmark)).size === 1 ? traces[0].benchmark : undefined) ??
      (o.tracesFile ? basename(o.tracesFile) : "traces");
    const bundle: RouterBundle = {
      format: ROUTER_BUNDLE_FORMAT,
      version: ROUTER_BUNDLE_VERSION,
      featureNames: [...dataset.featureNames],
      model,
      presets: calibrated.presets,
      metadata: {
        dataset: datasetName,
        ...memberNamesOf(traces),
        createdBy: `${ROUTER_CREATED_BY} (libxgboost ${lib.version.join(".")})`,
        trainRows: trainIdx.length,
        validationRows: validIdx.length,
        seed: o.seed,
        params,
        rounds: { best: best + 1, trained: curve.length, max: o.numRounds },
        validation: validation as RouterBundle["metadata"]["validation"],
        importance,
      },
    };
    return {
      bundle,
      router: XGBoostRouter.fromJSON(model, { presets: calibrated.presets, source: "trained model" }),
      validationCurve: curve,
    };
  } finally {
    for (const b of boosters) b.free();
    train.free();
    valid.free();
  }
}
