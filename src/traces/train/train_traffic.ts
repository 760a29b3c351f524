import { DataFormatError } from "../../errors/index.js";
import { calibrationFigures } from "../../router/train/calibration.js";
import { bundleOf } from "../../router/train/bundle.js";
import type { XGBBooster, XGBDMatrix } from "../../router/train/booster.js";
import { fit, matrixOf, ruleStartFor, savedModel } from "../../router/train/fit.js";
import { loadLibXGBoost } from "../../router/train/libxgboost.js";
import { parseOptions, paramsFor } from "../../router/train/options.js";
import type { RouterBundle } from "../../router/bundle.js";
import { XGBoostRouter } from "../../router/xgboost/xgboost_router.js";
import { labelTraffic } from "../labels.js";
import { estimateOracleAccuracy } from "../oracle_accuracy.js";
import type { OracleAccuracyEstimate } from "../oracle_accuracy.js";
import type { LabelSource, LabelledSample } from "../labels.js";
import { readTraffic } from "../read.js";
import type { TrafficRecord } from "../read.js";
import { asEvalTraces, trafficDataset } from "./dataset.js";
import { describeComparison, type PairedComparison } from "./paired_comparison.js";
import { repeatedFolds } from "./repeated_folds.js";
import { compareWithChampion, type ChampionComparison } from "./champion.js";
import { trafficCalibrationRows } from "./calibration_rows.js";
import { requireEnoughLabels } from "./refusals.js";
import { weightedAuc } from "./weighted_metrics.js";

/** Options of {@link trainFromTraffic}. Give `tracesFile` or `records`. */
export interface TrainFromTrafficOptions {
  /** A production trace file (with its worker and rotated files). */
  readonly tracesFile?: string;
  /** Or the joined records themselves. */
  readonly records?: readonly TrafficRecord[];
  /** Label source (default `auto`). */
  readonly labels?: LabelSource;
  /**
   * `P_oracle` for the label correction: a probability, or `"auto"` to estimate it from the feedback that judges
   * the apex's answers ({@link estimateOracleAccuracy}; refused below `minOracleJudgements` of them). Default 1: the
   * apex is taken as right.
   */
  readonly oracleAccuracy?: number | "auto";
  /** With `oracleAccuracy: "auto"`, refuse below this many judged apex answers (default 30). */
  readonly minOracleJudgements?: number;
  readonly seed?: number;
  readonly folds?: number;
  /** Refuse below this many labelled queries (default 150). */
  readonly minLabels?: number;
  /** Refuse below this many labelled crowd errors (default 20). */
  readonly minCrowdErrors?: number;
  /** Train even when the router is worse than the agreement rule with confidence. */
  readonly force?: boolean;
  /** Repetitions of the k-fold cross-validation that compares the router with the rule (default 5). */
  readonly repetitions?: number;
  /**
   * The served router (the champion) and its name: the new router (the challenger) is compared with it on the new
   * traces' labels, paired (`compareWithChampion`); the result says whether it replaces it.
   */
  readonly champion?: { readonly router: XGBoostRouter; readonly name: string };
  readonly numRounds?: number;
  readonly earlyStoppingRounds?: number;
  readonly params?: Record<string, string | number | boolean>;
}

/** What {@link trainFromTraffic} returns. */
export interface TrafficTrainingResult {
  readonly bundle: RouterBundle;
  readonly router: XGBoostRouter;
  readonly sample: LabelledSample;
  /** Weighted out-of-fold AUC of the router, and of the agreement rule (`1 - vote_share`), on the crowd's errors. */
  readonly auc: { readonly router: number; readonly agreement: number };
  /** The router against the rule on the same held folds of a repeated cross-validation, with its interval. */
  readonly comparison: PairedComparison;
  /** With `champion`: the challenger against the champion on the same labelled queries. */
  readonly championComparison?: ChampionComparison;
  /** With `oracleAccuracy: "auto"`: the estimate used, with its interval. */
  readonly oracleAccuracy?: OracleAccuracyEstimate;
}

/**
 * `P_oracle` for {@link trainFromTraffic}: the given probability, or with `"auto"` the estimate from feedback.
 *
 * @throws DataFormatError when `"auto"` finds fewer than `minimum` judged apex answers.
 */
function oracleAccuracyFor(
  records: readonly TrafficRecord[],
  given: number | "auto" | undefined,
  minimum: number,
): { value: number; estimate?: OracleAccuracyEstimate } {
  if (given !== "auto") return { value: given ?? 1 };
  const estimate = estimateOracleAccuracy(records);
  if (!estimate || estimate.judged < minimum) {
    throw new DataFormatError(
      `too little feedback to estimate P_oracle: ${estimate?.judged ?? 0} apex answers judged by feedback, at least ${minimum} are needed`,
      {
        field: "--oracle-accuracy",
        fix: "give the apex's accuracy (e.g. --oracle-accuracy 0.95), or send feedback (POST /v1/feedback) on more escalated or shadowed queries",
      },
    );
  }
  return { value: estimate.estimate, estimate };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : Math.round((sorted[mid - 1] + sorted[mid]) / 2);
}

/**
 * Trains a router from production traffic: labels the queries ({@link labelTraffic}), refuses on too few labels,
 * trains XGBoost with the inverse-propensity weights as sample weights and the corrected labels (soft labels in
 * [0, 1]) on top of the agreement rule's log-odds (`base_margin`) with monotone constraints, compares it with the
 * agreement rule on the same held folds of `repetitions` k-fold cross-validations (weighted AUC, paired, with a 90%
 * interval corrected for overlapping training parts; refusing only when the router is worse with confidence, i.e.
 * the whole interval is below 0, unless `force`), calibrates the presets on the out-of-fold predictions of the same
 * weighted sample (rows replicated in proportion to their weights; a disagreement stands for `label` of a crowd error
 * and `1 - label` of an apex error), and trains the final model on every labelled query.
 *
 * @throws DataFormatError on too few labels, or a router worse than the agreement rule with confidence.
 */
export function trainFromTraffic(options: TrainFromTrafficOptions): TrafficTrainingResult {
  const source = options.labels ?? "auto";
  const records = options.records ?? readTraffic(options.tracesFile ?? "").records;
  const oracle = oracleAccuracyFor(records, options.oracleAccuracy, options.minOracleJudgements ?? 30);
  const sample = labelTraffic(records, source, oracle.value);
  requireEnoughLabels(
    sample,
    { minLabels: options.minLabels ?? 150, minCrowdErrors: options.minCrowdErrors ?? 20 },
    source,
  );
  const o = parseOptions({
    tracesFile: options.tracesFile ?? "traffic",
    seed: options.seed ?? 1,
    folds: options.folds ?? 5,
    numRounds: options.numRounds ?? 500,
    earlyStoppingRounds: options.earlyStoppingRounds ?? 20,
    params: options.params ?? {},
    dataset: "traffic",
  });
  // Canonical order (by id): folds do not depend on the order the lines were written in.
  const rows = [...sample.rows].sort((a, b) => (a.record.query.id < b.record.query.id ? -1 : 1));
  const traces = asEvalTraces(rows);
  const data = trafficDataset(rows, traces);
  const n = rows.length;
  const weightSum = data.weights.reduce((a, b) => a + b, 0);
  const positiveRate = data.labels.reduce((sum, label, i) => sum + label * data.weights[i], 0) / weightSum;
  const lib = loadLibXGBoost();
  const folds = repeatedFolds(lib, o, data, positiveRate, options.repetitions ?? 5);
  const { oof, foldRounds, comparison } = folds;
  const weights = Array.from(data.weights);
  const auc = {
    router: weightedAuc(oof, data.crowdWrong, weights),
    agreement: weightedAuc(folds.agreementScores, data.crowdWrong, weights),
  };
  // Refused only when the router is worse than the rule with confidence: the whole interval below 0.
  if (!options.force && !(comparison.upper >= 0)) {
    throw new DataFormatError(
      `the router trained from traffic is worse than the agreement rule: ${describeComparison(comparison)}, on ${n} labelled queries`,
      {
        field: "--traces",
        fix: "keep the agreement router (the default) and collect more labels, or pass --force to write the router anyway",
      },
    );
  }
  const rounds = median(foldRounds);
  const all = rows.map((_, i) => i);
  const boosters: XGBBooster[] = [];
  const matrices: XGBDMatrix[] = [];
  try {
    const start = ruleStartFor(o, data, all);
    const train = matrixOf(lib, data, all, matrices, start, data.weights);
    const params = paramsFor(o, positiveRate, data.featureNames, start !== undefined);
    const result = fit(lib, train, undefined, params, data.featureNames, rounds, 0, boosters);
    const { model } = savedModel(result.booster, data, all, train, start);
    const calibration = trafficCalibrationRows(rows, traces, oof);
    // The same calibration as `trainRouter` (Platt P_fail by default), fitted on the weighted out-of-fold sample.
    const { presets, validation, pFailCalibration } = calibrationFigures(calibration.graded, calibration.labels, o);
    const bundle = bundleOf(o, traces, data, lib, {
      model,
      ruleOffset: start?.offset,
      presets,
      pFailCalibration,
      validation: {
        ...validation,
        auc: auc.router,
        agreementAuc: auc.agreement,
        comparison: { ...comparison, against: "agreement rule (1 - vote_share)", metric: "weighted AUC" },
        labels: source,
        labelledQueries: n,
        queries: sample.queries,
        oracleAccuracyAssumed: sample.oracleAccuracy,
        ...(oracle.estimate
          ? {
              oracleAccuracyInterval: [oracle.estimate.lower, oracle.estimate.upper],
              oracleAccuracyJudged: oracle.estimate.judged,
            }
          : {}),
        crowdAccuracyEstimated: sample.crowdAccuracy,
        disagreementLabel: sample.disagreementLabel,
        weighting:
          "inverse propensity (escalated 1, shadowed 1/rate); presets calibrated on the weighted out-of-fold sample",
      },
      trainRows: n,
      validationRows: n,
      params,
      rounds: { best: rounds, trained: rounds, max: o.numRounds, folds: foldRounds },
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
      sample,
      auc,
      comparison,
      ...(options.champion
        ? {
            championComparison: compareWithChampion(
              options.champion.router,
              oof,
              data,
              { champion: options.champion.name, challenger: options.tracesFile ?? "traffic" },
              { seed: o.seed },
            ),
          }
        : {}),
      ...(oracle.estimate ? { oracleAccuracy: oracle.estimate } : {}),
    };
  } finally {
    for (const b of boosters) b.free();
    for (const m of matrices) m.free();
  }
}
