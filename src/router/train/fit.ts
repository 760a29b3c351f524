import { DataFormatError, RouterModelError } from "../../errors/index.js";
import { XGBoostRouter } from "../xgboost/xgboost_router.js";
import { XGBBooster, XGBDMatrix } from "./booster.js";
import { selectRows, type TraceDataset } from "./dataset.js";
import type { LibXGBoost } from "./libxgboost.js";
import type { Params, ParsedOptions } from "./options.js";
import { fitRuleOffset, ruleOffsetsOf, type RuleOffset } from "../rule_offset.js";

/** The agreement rule's offset fitted on some training rows, with the column of `vote_share` it reads. */
export interface RuleStart {
  readonly offset: RuleOffset;
  readonly column: number;
}

/**
 * The rule's offset fitted on `rows` (labels: 1 = the crowd was wrong, soft labels rounded), or undefined when the
 * options say not to start from the rule or the features have no `vote_share`.
 */
export function ruleStartFor(
  o: Pick<ParsedOptions, "startFromRule">,
  dataset: Pick<TraceDataset, "featureNames" | "matrix" | "labels">,
  rows: readonly number[],
): RuleStart | undefined {
  const column = dataset.featureNames.indexOf("vote_share");
  if (!o.startFromRule || column < 0) return undefined;
  const cols = dataset.matrix.cols;
  const offset = fitRuleOffset(
    Float64Array.from(rows, (i) => dataset.matrix.data[i * cols + column]),
    Float64Array.from(rows, (i) => dataset.labels[i]),
  );
  return { offset, column };
}

/** A trained booster cut to its kept rounds, with its early-stopping curve. */
export interface Fit {
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
export function positiveRateOf(labels: Float32Array, what: string, fix: string): number {
  const rate = labels.reduce((a, b) => a + b, 0) / labels.length;
  if (rate === 0 || rate === 1) {
    throw new DataFormatError(
      `every crowd answer in ${what} is ${rate === 0 ? "correct" : "wrong"}: there is nothing to learn.`,
      {
        field: "traces",
        fix,
      },
    );
  }
  return rate;
}

/**
 * Boosts on `train` for up to `maxRounds` rounds. With `valid`, evaluates the metric after each round
 * and, when `earlyStoppingRounds > 0`, stops early and cuts the model to its best round; without it,
 * trains exactly `maxRounds` rounds.
 */
export function fit(
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
export function matrixOf(
  lib: LibXGBoost,
  dataset: Pick<TraceDataset, "featureNames" | "matrix" | "labels">,
  rows: readonly number[],
  matrices: XGBDMatrix[],
  start?: RuleStart,
  weights?: Float32Array,
): XGBDMatrix {
  const matrix = new XGBDMatrix(lib, selectRows(dataset.matrix, rows), {
    labels: Float32Array.from(rows, (i) => dataset.labels[i]),
    featureNames: dataset.featureNames,
    ...(start
      ? { baseMargin: ruleOffsetsOf(start.offset, dataset.matrix.data, dataset.matrix.cols, start.column, rows) }
      : {}),
    ...(weights ? { weights: Float32Array.from(rows, (i) => weights[i]) } : {}),
  });
  matrices.push(matrix);
  return matrix;
}

/** The saved model of a booster, checked against libxgboost's own predictions on `rows`. */
export function savedModel(
  booster: XGBBooster,
  dataset: Pick<TraceDataset, "matrix">,
  rows: readonly number[],
  check: XGBDMatrix,
  start?: RuleStart,
): { model: unknown; pFail: Float64Array } {
  const model = JSON.parse(booster.saveJson()) as unknown;
  const libPredictions = booster.predict(check);
  const router = XGBoostRouter.fromJSON(model, {
    source: "trained model",
    ...(start ? { ruleOffset: start.offset } : {}),
  });
  const cols = dataset.matrix.cols;
  const pFail = Float64Array.from(
    router.predictBatch(rows.map((i) => dataset.matrix.data.subarray(i * cols, (i + 1) * cols))),
  );
  // The TypeScript evaluator must reproduce libxgboost; a difference would mean the saved model is
  // not what was trained.
  pFail.forEach((p, k) => {
    if (Math.abs(p - libPredictions[k]) > 1e-5) {
      throw new RouterModelError(
        `the saved model predicts ${p} on row ${rows[k]} where libxgboost predicts ${libPredictions[k]}.`,
        {
          field: "trained model",
          fix: "report this as a bug in pyramid-moa's XGBoost evaluator.",
        },
      );
    }
  });
  return { model, pFail };
}
