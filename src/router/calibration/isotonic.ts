/**
 * Isotonic calibration by pool-adjacent-violators (PAV), interpolated between block centres.
 *
 * PAV fits the non-decreasing step function of the score that is closest (least squares) to the 0/1 labels: each step
 * ("block") is a run of consecutive scores whose observed error rate is its value. A bare step function would give every
 * query of a block the same calibrated `P_fail`, tying queries that the router ranks apart (lower AUC, and thresholds
 * that can only cut between blocks). Here the calibrated value is instead the straight line between consecutive block
 * centres (the block's mean score, at the block's value), so that it is STRICTLY increasing between the first and the
 * last centre: the router's ranking, its AUC and the set of distinct decisions are kept there. Below the first centre
 * and above the last one the map is flat (the lowest and highest observed rates): queries out there tie.
 */

/** The fitted map: knots `(x[k], y[k])`, `x` strictly increasing, `y` strictly increasing, all in [0, 1]. */
export interface IsotonicKnots {
  /** Block centres: the mean raw score of each PAV block. */
  readonly x: number[];
  /** Block values: the (smoothed) observed rate of label 1 in each block. */
  readonly y: number[];
}

interface Block {
  weight: number;
  sumY: number;
  sumX: number;
}

/**
 * Fits isotonic calibration of `scores` against binary `labels` (1 = the crowd is wrong).
 *
 * Labels are smoothed as in Platt's method before pooling (a 1 counts as `(N1 + 1) / (N1 + 2)`, a 0 as
 * `1 / (N0 + 2)`, with N1 and N0 the counts of each label): an affine map of the labels, so the blocks are the same as
 * without it, but no calibrated value is exactly 0 or 1 (a block with no error seen is not a certainty, and a threshold
 * of 0 can still escalate every query). Equal scores are pooled first, so they always get one value.
 *
 * @param scores Raw router outputs (any real numbers; for a router, probabilities).
 * @param labels 0/1 labels, same length.
 */
export function fitIsotonic(scores: ArrayLike<number>, labels: ArrayLike<number>): IsotonicKnots {
  const n = scores.length;
  const isOne = Array.from({ length: n }, (_, i) => labels[i] === 1);
  const ones = isOne.filter(Boolean).length;
  const hi = (ones + 1) / (ones + 2);
  const lo = 1 / (n - ones + 2);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  const blocks: Block[] = [];
  for (let k = 0; k < n; ) {
    // One block per distinct score.
    const s = scores[order[k]];
    const block: Block = { weight: 0, sumY: 0, sumX: 0 };
    while (k < n && scores[order[k]] === s) {
      block.weight += 1;
      block.sumY += isOne[order[k]] ? hi : lo;
      block.sumX += s;
      k++;
    }
    blocks.push(block);
    // Pool while the previous block's value is not below this one's (ties pooled too, up to rounding: 2h/2 and 5h/5
    // may differ in the last bit; values end strictly increasing).
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1];
      const prev = blocks[blocks.length - 2];
      if (prev.sumY / prev.weight < last.sumY / last.weight - 1e-12) break;
      prev.weight += last.weight;
      prev.sumY += last.sumY;
      prev.sumX += last.sumX;
      blocks.pop();
    }
  }
  return { x: blocks.map((b) => b.sumX / b.weight), y: blocks.map((b) => b.sumY / b.weight) };
}

/**
 * The calibrated value of a raw score: linear between the knots, flat (the first or last `y`) outside them.
 * Non-decreasing in `score`, strictly increasing between the first and the last knot; exactly `y[k]` at `x[k]`. NaN
 * stays NaN (no comparison holds for it, and the interpolation gives NaN).
 */
export function applyIsotonic(knots: IsotonicKnots, score: number): number {
  const { x, y } = knots;
  if (score <= x[0]) return y[0];
  const last = x.length - 1;
  if (score >= x[last]) return y[last];
  // Largest k with x[k] <= score (binary search).
  let a = 0;
  let b = last;
  while (b - a > 1) {
    const mid = (a + b) >> 1;
    if (x[mid] <= score) a = mid;
    else b = mid;
  }
  return y[a] + ((score - x[a]) / (x[b] - x[a])) * (y[b] - y[a]);
}
