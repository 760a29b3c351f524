/**
 * The smallest loss a Learn-then-Test test can certify from `n` calibration rows, and the guaranteed presets' delta
 * widened to it (`widenToCertifiable`).
 *
 * A fixed sequence of thresholds starts where the pyramid escalates nearly everything: the first thresholds keep a
 * handful of queries, so their rows carry no harm and no gain. No valid test can certify "net loss at most delta"
 * from such rows when `(1 - delta)^n > alpha` (the law with harm rate just above delta and no gains gives them that
 * probability), so with n = 209 rows and delta = 1 point (0.99^209 = 0.12 > 0.1) the sequence stops at its first
 * threshold and the preset escalates every query. `certifiableDelta(test, n, alpha)` is the smallest delta, on a grid
 * of 0.0001, at which the test's p-value of n rows with no harm and no gain is at most alpha; a guarantee asked at
 * `delta` is then stated at `delta_n = max(delta, certifiableDelta(test, n, alpha))`. For the exact binomial test of the
 * harm it is `1 - alpha^(1/n)` rounded up; for the tests that spend `gamma` on the discordant rate it is larger.
 *
 * Why the guarantee stays valid: `delta_n` depends on n, alpha and the test only, never on the rows' outcomes, so it
 * is fixed before the rows are looked at, and Learn-then-Test at `delta_n` gives P(net loss > delta_n) <= alpha.
 */
import {
  bettingPValue,
  combinedPValue,
  discordantPValue,
  harmPValue,
  NUISANCE_GAMMA_SHARE,
  type RiskGuarantee,
  type RiskTest,
  trinomialPValue,
  WEIGHTED_GAIN,
} from "./risk_control.js";

/** The grid `certifiableDelta` rounds up to (0.01 points). */
export const CERTIFIABLE_DELTA_STEP = 1e-4;

/** The p-value `test` gives `n` rows with no harm and no gain (every loss 0) against "net loss above `delta`". */
export function noLossPValue(test: RiskTest, n: number, delta: number, alpha: number): number {
  const gamma = NUISANCE_GAMMA_SHARE * alpha;
  switch (test) {
    case "binomial":
      return harmPValue(0, n, delta);
    case "betting":
      return bettingPValue(new Float64Array(n), delta, alpha);
    case "combined":
      return combinedPValue(0, new Float64Array(n), delta, alpha);
    case "discordant":
      return discordantPValue(0, 0, n, delta, gamma);
    case "trinomial":
      return trinomialPValue(0, 0, n, delta, gamma);
    case "weighted":
      return trinomialPValue(0, 0, n, delta, gamma, WEIGHTED_GAIN);
  }
}

/**
 * The smallest delta on the grid of {@link CERTIFIABLE_DELTA_STEP} at which `test` certifies `n` rows with no harm and
 * no gain at level `alpha` (bisection; the no-loss p-value falls as delta grows), at least `from` (default 0); 1 when
 * none below 1 is (or `n` is 0).
 */
export function certifiableDelta(test: RiskTest, n: number, alpha: number, from = 0): number {
  const steps = Math.round(1 / CERTIFIABLE_DELTA_STEP);
  // step / steps (not step * 0.0001): 124 / 10000 is the double nearest 0.0124, 124 * 0.0001 is not.
  const at = (step: number): number => step / steps;
  const certifies = (step: number): boolean => noLossPValue(test, n, at(step), alpha) <= alpha;
  let hi = steps - 1;
  if (n === 0 || !certifies(hi)) return 1;
  let lo = Math.max(0, Math.ceil(from * steps - 1e-9));
  if (certifies(lo)) return at(lo);
  // certifies(lo) is false and certifies(hi) true: keep it so.
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (certifies(mid)) hi = mid;
    else lo = mid;
  }
  return at(hi);
}

/** A guarantee's settings with the option to widen its delta to what the calibration size can certify. */
export interface WidenableGuarantee extends RiskGuarantee {
  /**
   * State the guarantee at `max(delta, certifiableDelta(test, n, alpha))` instead of `delta`, so that a small
   * calibration set still certifies thresholds (default false: keep `delta`, and escalate everything when n rows
   * cannot certify it).
   */
  readonly widenToCertifiable?: boolean;
}

/**
 * The delta a guarantee is tested and stated at on `n` calibration rows: its own `delta`, or, with
 * `widenToCertifiable`, `max(delta, certifiableDelta(test, n, alpha))`. Depends on `n` and the settings only.
 */
export function guaranteedDelta(guarantee: WidenableGuarantee, n: number): number {
  if (!guarantee.widenToCertifiable || n === 0) return guarantee.delta;
  const test = guarantee.test ?? "binomial";
  if (noLossPValue(test, n, guarantee.delta, guarantee.alpha) <= guarantee.alpha) return guarantee.delta;
  return Math.max(guarantee.delta, certifiableDelta(test, n, guarantee.alpha, guarantee.delta));
}
