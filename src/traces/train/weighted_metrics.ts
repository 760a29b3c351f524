/**
 * Weighted ROC AUC: the probability that a random (weighted) positive scores above a random (weighted) negative,
 * ties counted half. NaN when one class has no weight.
 */
export function weightedAuc(
  scores: readonly number[],
  positive: readonly boolean[],
  weights: readonly number[],
): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let negBelow = 0;
  let area = 0;
  let pos = 0;
  let neg = 0;
  for (let start = 0; start < order.length; ) {
    let end = start;
    while (end < order.length && scores[order[end]] === scores[order[start]]) end++;
    let groupPos = 0;
    let groupNeg = 0;
    for (let k = start; k < end; k++) {
      const i = order[k];
      if (positive[i]) groupPos += weights[i];
      else groupNeg += weights[i];
    }
    area += groupPos * (negBelow + groupNeg / 2);
    negBelow += groupNeg;
    pos += groupPos;
    neg += groupNeg;
    start = end;
  }
  return pos > 0 && neg > 0 ? area / (pos * neg) : Number.NaN;
}

/**
 * Integer copy counts standing for real weights (a weighted sample for code that takes unweighted rows): the
 * smallest positive weight gets `copiesOfSmallest` copies, the others proportionally more (rounded, at least 1
 * for a positive weight), unless that would make more than `maxTotal` copies in all, in which case the scale is
 * lowered to fit (the rounding error per row stays below half a copy).
 */
export function replicationCounts(weights: readonly number[], copiesOfSmallest = 4, maxTotal = 20_000): number[] {
  const positive = weights.filter((w) => w > 0);
  if (positive.length === 0) return weights.map(() => 0);
  const smallest = Math.min(...positive);
  const total = positive.reduce((a, b) => a + b, 0);
  const scale = Math.min(copiesOfSmallest / smallest, maxTotal / total);
  return weights.map((w) => (w > 0 ? Math.max(1, Math.round(w * scale)) : 0));
}
