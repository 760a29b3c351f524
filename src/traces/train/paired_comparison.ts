/**
 * The paired comparison of a router with the agreement rule on the same folds of a repeated cross-validation: per held
 * fold, the router's AUC minus the rule's; the mean difference with a t-interval whose variance is corrected for the
 * overlap of the training parts (Nadeau and Bengio's corrected resampled t-test: `(1/J + n_test/n_train) * s^2`).
 */
import { normalQuantile } from "../../router/calibration/reliability.js";

/** What {@link pairedComparison} found. */
export interface PairedComparison {
  /** Folds with both classes (the ones compared). */
  readonly folds: number;
  /** Folds left out because their held part had only one class (AUC undefined). */
  readonly skippedFolds: number;
  /** Repetitions of the k-fold cross-validation. */
  readonly repetitions: number;
  /** Folds per repetition. */
  readonly k: number;
  /** Mean over folds of the router's AUC minus the rule's. */
  readonly difference: number;
  /** Lower and upper bound of the interval of `difference`. */
  readonly lower: number;
  readonly upper: number;
  /** Two-sided level of the interval (0.9: the router is refused when worse with 95% confidence). */
  readonly level: number;
  /** Mean held-fold AUC of the router and of the rule. */
  readonly routerAuc: number;
  readonly agreementAuc: number;
}

/** Student's t quantile with `df` degrees of freedom (Cornish-Fisher expansion around the normal; df >= 1). */
export function tQuantile(p: number, df: number): number {
  const z = normalQuantile(p);
  const z3 = z ** 3;
  const z5 = z ** 5;
  const z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * df) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
  );
}

/**
 * Compares the router with the rule fold by fold: `routerAucs[j]` and `agreementAucs[j]` are the AUCs of held fold `j`
 * (NaN when the fold has one class: left out). `testShare` is the held share of the rows (1/k).
 */
export function pairedComparison(
  routerAucs: readonly number[],
  agreementAucs: readonly number[],
  shape: { readonly repetitions: number; readonly k: number },
  level = 0.9,
): PairedComparison {
  const pairs = routerAucs.flatMap((r, j) =>
    Number.isFinite(r) && Number.isFinite(agreementAucs[j]) ? [[r, agreementAucs[j]] as const] : [],
  );
  const J = pairs.length;
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const diffs = pairs.map(([r, a]) => r - a);
  const difference = J > 0 ? mean(diffs) : Number.NaN;
  const variance = J > 1 ? diffs.reduce((s, x) => s + (x - difference) ** 2, 0) / (J - 1) : Number.NaN;
  const testOverTrain = 1 / (shape.k - 1);
  const se = Math.sqrt((1 / J + testOverTrain) * variance);
  const half = J > 1 ? tQuantile((1 + level) / 2, J - 1) * se : Number.NaN;
  return {
    folds: J,
    skippedFolds: routerAucs.length - J,
    repetitions: shape.repetitions,
    k: shape.k,
    difference,
    lower: difference - half,
    upper: difference + half,
    level,
    routerAuc: J > 0 ? mean(pairs.map(([r]) => r)) : Number.NaN,
    agreementAuc: J > 0 ? mean(pairs.map(([, a]) => a)) : Number.NaN,
  };
}

/** `AUC difference -0.041 (router - rule; 90% interval -0.070 to -0.012; 25 folds: 5 repetitions of 5-fold ...)`. */
export function describeComparison(c: PairedComparison): string {
  const f = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;
  const skipped = c.skippedFolds > 0 ? `, ${c.skippedFolds} folds with one class left out` : "";
  return `AUC difference ${f(c.difference)} (router ${c.routerAuc.toFixed(3)} - agreement rule ${c.agreementAuc.toFixed(3)}, mean over ${c.folds} held folds: ${c.repetitions} repetitions of ${c.k}-fold cross-validation, the same folds for both${skipped}; ${Math.round(100 * c.level)}% interval ${f(c.lower)} to ${f(c.upper)})`;
}
