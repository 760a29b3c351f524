/**
 * Presets with a stated guarantee: Learn-then-Test (Angelopoulos, Bates, Candès, Jordan and Lei, 2021) on graded
 * predictions the router did not train on. The risk of a threshold `t` is the accuracy the pyramid gives up against
 * the Oracle alone on the same queries, `R(t) = E[oracleCorrect - correct(t)]` (each query's loss is -1, 0 or 1). For
 * thresholds in ascending order (escalating less and less), the null hypothesis "R(t) > delta" is tested with a
 * Waudby-Smith-Ramdas betting p-value at level `alpha`, in a fixed sequence: the chosen threshold is the highest one
 * whose test and all the lower ones' reject. Then, for queries exchangeable with the calibration rows,
 * **P(accuracy >= Oracle's accuracy - delta) >= 1 - alpha** over the draw of the calibration rows.
 */
import { seededRandom } from "../utils/random.js";
import type { GradedPrediction } from "./calibrate.js";

/** The indices `0..n-1` in a seeded random order (Fisher-Yates). */
function seededOrder(n: number, seed: number): number[] {
  const random = seededRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** The guarantee of a risk-controlling threshold: the accuracy given up at most `delta` with probability `1 - alpha`. */
export interface RiskGuarantee {
  /** Accuracy (a fraction) the pyramid may give up against the Oracle alone. */
  readonly delta: number;
  /** Probability that the guarantee fails (over the draw of the calibration rows). */
  readonly alpha: number;
}

/**
 * The betting p-value of "the mean of `losses` is above `delta`" (losses in [-1, 1], in the order given): the wealth
 * `K_i = prod (1 + lambda_j (delta - x_j))` with predictable bets `lambda_j` (Waudby-Smith and Ramdas, 2020: a running
 * variance estimate, capped at three quarters of the largest bet that keeps the wealth positive) is a nonnegative supermartingale
 * under the null, so `min(1, 1 / max_i K_i)` is a valid p-value (Ville's inequality).
 */
export function bettingPValue(losses: ArrayLike<number>, delta: number, alpha: number): number {
  const n = losses.length;
  if (n === 0) return 1;
  const cap = 0.75 / (1 - delta);
  let sum = 0;
  let sumSq = 0.25;
  let mean = 0;
  let wealth = 1;
  let best = 1;
  for (let i = 0; i < n; i++) {
    const variance = sumSq / (i + 1);
    const bet = Math.min(Math.sqrt((2 * Math.log(1 / alpha)) / (n * variance)), cap);
    const x = losses[i];
    wealth *= 1 + bet * (delta - x);
    if (wealth > best) best = wealth;
    sum += x;
    const nextMean = sum / (i + 1);
    sumSq += (x - mean) ** 2;
    mean = nextMean;
  }
  return Math.min(1, 1 / best);
}

/** What {@link riskControlledThreshold} chose. */
export interface RiskControlResult {
  /** Escalate iff `pFail > threshold`. */
  readonly threshold: number;
  /** Whether any threshold above 0 was certified (otherwise: 0, escalate every query). */
  readonly certified: boolean;
  /** The p-value of the chosen threshold (1 when none was certified). */
  readonly pValue: number;
  /** Thresholds tested (the sequence stops at the first one not rejected). */
  readonly tested: number;
}

/**
 * The highest threshold among `thresholds` (ascending) whose risk is certified at most `guarantee.delta` at level
 * `guarantee.alpha` by fixed-sequence testing, on `rows` in a seeded order. Falls back to 0 (escalate every query
 * whose `P_fail` is above 0, which gives up no accuracy) when even the lowest threshold is not certified.
 */
export function riskControlledThreshold(
  rows: readonly GradedPrediction[],
  thresholds: readonly number[],
  guarantee: RiskGuarantee,
  seed: number,
): RiskControlResult {
  const order = seededOrder(rows.length, seed);
  const ordered = order.map((i) => rows[i]);
  let chosen: RiskControlResult = { threshold: 0, certified: false, pValue: 1, tested: 0 };
  const losses = new Float64Array(ordered.length);
  let tested = 0;
  for (const t of thresholds) {
    tested++;
    ordered.forEach((row, i) => {
      const escalated = row.pFail > t;
      const correct = escalated ? row.oracleCorrect : row.crowdCorrect;
      losses[i] = (row.oracleCorrect ? 1 : 0) - (correct ? 1 : 0);
    });
    const p = bettingPValue(losses, guarantee.delta, guarantee.alpha);
    if (p > guarantee.alpha) break;
    chosen = { threshold: t, certified: true, pValue: p, tested };
  }
  return { ...chosen, tested };
}

/** `accuracy >= Oracle's - 0.5 points with probability >= 90% (Learn-then-Test, ...)`: the guarantee in words. */
export function describeGuarantee(guarantee: RiskGuarantee): string {
  return `accuracy at least the Oracle alone's minus ${(100 * guarantee.delta).toFixed(1)} points with probability at least ${(100 * (1 - guarantee.alpha)).toFixed(0)}% (Learn-then-Test on the calibration rows: fixed-sequence betting tests of each threshold; holds for queries exchangeable with them)`;
}
