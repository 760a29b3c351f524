import type { XGBBooster, XGBDMatrix } from "../../router/train/booster.js";
import { fit, matrixOf, ruleStartFor } from "../../router/train/fit.js";
import type { LibXGBoost } from "../../router/train/libxgboost.js";
import { seededPermutation } from "../../router/train/metrics.js";
import { paramsFor, type ParsedOptions } from "../../router/train/options.js";
import type { TrafficDataset } from "./dataset.js";
import { pairedComparison, type PairedComparison } from "./paired_comparison.js";
import { weightedAuc } from "./weighted_metrics.js";

/** What {@link repeatedFolds} returns. */
export interface RepeatedFolds {
  /** Out-of-fold predictions of the first repetition (for the presets and calibration). */
  readonly oof: number[];
  /** Best rounds of the first repetition's folds. */
  readonly foldRounds: number[];
  /** The router against the rule, held fold by held fold, over every repetition. */
  readonly comparison: PairedComparison;
  /** The agreement rule's score (`1 - vote_share`, 1 when missing) of every row. */
  readonly agreementScores: number[];
}

/** Stratified folds (crowd errors dealt first, round-robin) of a seeded order. */
function foldsOf(crowdWrong: readonly boolean[], k: number, seed: number): number[] {
  const order = seededPermutation(crowdWrong.length, seed);
  const dealt = [...order.filter((i) => crowdWrong[i]), ...order.filter((i) => !crowdWrong[i])];
  const foldOf = new Array<number>(crowdWrong.length).fill(0);
  dealt.forEach((row, j) => {
    foldOf[row] = j % k;
  });
  return foldOf;
}

/**
 * `repetitions` stratified k-fold cross-validations of a weighted router (each with its own seeded fold assignment;
 * the first one's seed is `o.seed`, as before repetitions existed): per fold, the router is trained on the other
 * folds (the rule's offset fitted on them, early stopping on an inner split) and predicts the held fold; the router and
 * the agreement rule are scored by weighted AUC on the same held fold.
 */
export function repeatedFolds(
  lib: LibXGBoost,
  o: ParsedOptions,
  data: TrafficDataset,
  positiveRate: number,
  repetitions: number,
): RepeatedFolds {
  const n = data.matrix.rows;
  const weights = Array.from(data.weights);
  const voteShare = data.featureNames.indexOf("vote_share");
  const agreementScores = Array.from({ length: n }, (_, i) => {
    const share = voteShare >= 0 ? data.matrix.data[i * data.matrix.cols + voteShare] : Number.NaN;
    return Number.isNaN(share) ? 1 : 1 - share;
  });
  const oof = new Array<number>(n).fill(0);
  const foldRounds: number[] = [];
  const routerAucs: number[] = [];
  const agreementAucs: number[] = [];
  for (let r = 0; r < repetitions; r++) {
    const seed = o.seed + 7919 * r;
    const foldOf = foldsOf(data.crowdWrong, o.folds, seed);
    for (let f = 0; f < o.folds; f++) {
      const held = foldOf.flatMap((fold, i) => (fold === f ? [i] : []));
      const rest = foldOf.flatMap((fold, i) => (fold === f ? [] : [i]));
      const inner = seededPermutation(rest.length, seed + 1 + f);
      const innerSize = Math.round(rest.length * o.validationFraction);
      const valid = inner
        .slice(0, innerSize)
        .map((j) => rest[j])
        .sort((a, b) => a - b);
      const train = inner
        .slice(innerSize)
        .map((j) => rest[j])
        .sort((a, b) => a - b);
      const start = ruleStartFor(o, data, train);
      const boosters: XGBBooster[] = [];
      const matrices: XGBDMatrix[] = [];
      try {
        const result = fit(
          lib,
          matrixOf(lib, data, train, matrices, start, data.weights),
          matrixOf(lib, data, valid, matrices, start, data.weights),
          paramsFor(o, positiveRate, data.featureNames, start !== undefined),
          data.featureNames,
          o.numRounds,
          o.earlyStoppingRounds,
          boosters,
        );
        const predictions = result.booster.predict(matrixOf(lib, data, held, matrices, start, data.weights));
        if (r === 0) {
          held.forEach((row, j) => {
            oof[row] = predictions[j];
          });
          foldRounds.push(result.rounds);
        }
        const wrong = held.map((i) => data.crowdWrong[i]);
        const w = held.map((i) => weights[i]);
        routerAucs.push(weightedAuc(Array.from(predictions), wrong, w));
        agreementAucs.push(
          weightedAuc(
            held.map((i) => agreementScores[i]),
            wrong,
            w,
          ),
        );
      } finally {
        for (const b of boosters) b.free();
        for (const m of matrices) m.free();
      }
    }
  }
  return {
    oof,
    foldRounds,
    comparison: pairedComparison(routerAucs, agreementAucs, { repetitions, k: o.folds }),
    agreementScores,
  };
}
