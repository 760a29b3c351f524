/**
 * Platt scaling on the log-odds of the router's output: `P = sigmoid(a * logit(score) + b)`, fitted by Newton's method
 * on the log-loss with Platt's smoothed targets. Strictly increasing (the slope `a` is kept positive), so it keeps the
 * router's ranking and ties nothing; unlike isotonic calibration it can only stretch and shift the log-odds.
 */

/** Platt parameters: `P = sigmoid(a * logit(score) + b)`. */
export interface PlattParams {
  /** Slope on the score's log-odds (> 0). */
  readonly a: number;
  /** Intercept. */
  readonly b: number;
}

/** Smallest slope kept: a fit with no positive slope (no signal) becomes nearly constant but keeps the ranking. */
export const MIN_PLATT_SLOPE = 1e-6;

const EPS = 1e-7;

/** The log-odds of a score clipped to [1e-7, 1 - 1e-7]. */
export function logitOf(score: number): number {
  const p = Math.min(Math.max(score, EPS), 1 - EPS);
  return Math.log(p / (1 - p));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/**
 * Fits Platt scaling of `scores` (probabilities) against binary `labels` (1 = the crowd is wrong).
 * Targets are `(N1 + 1) / (N1 + 2)` for a 1 and `1 / (N0 + 2)` for a 0 (Platt, 1999), so the fit never claims
 * certainty; Newton's method with step halving from `a = 1, b = 0` (the identity map).
 *
 * @param maxIterations The most Newton steps taken (the fit usually stops sooner, when a step no longer lowers the
 *   log-loss by more than 1e-12 of it).
 */
export function fitPlatt(scores: ArrayLike<number>, labels: ArrayLike<number>, maxIterations = 100): PlattParams {
  const n = scores.length;
  const isOne = Array.from({ length: n }, (_, i) => labels[i] === 1);
  const ones = isOne.filter(Boolean).length;
  const hi = (ones + 1) / (ones + 2);
  const lo = 1 / (n - ones + 2);
  const z = Float64Array.from({ length: n }, (_, i) => logitOf(scores[i]));
  const t = Float64Array.from(isOne, (one) => (one ? hi : lo));
  const loss = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const m = a * z[i] + b;
      // log(1 + e^m) - t m, computed stably: log(1 + e^m) = max(m, 0) + log(1 + e^-|m|).
      sum += Math.max(m, 0) + Math.log1p(Math.exp(-Math.abs(m))) - t[i] * m;
    }
    return sum;
  };
  let a = 1;
  let b = 0;
  let current = loss(a, b);
  for (let iter = 0; iter < maxIterations; iter++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-12;
    let hAB = 0;
    let hBB = 1e-12;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(a * z[i] + b);
      const d = p - t[i];
      const w = p * (1 - p);
      gA += d * z[i];
      gB += d;
      hAA += w * z[i] * z[i];
      hAB += w * z[i];
      hBB += w;
    }
    const det = hAA * hBB - hAB * hAB;
    if (!(Math.abs(det) > 0)) break;
    const stepA = (hBB * gA - hAB * gB) / det;
    const stepB = (hAA * gB - hAB * gA) / det;
    let scale = 1;
    let next = loss(a - stepA, b - stepB);
    while (next > current && scale > 1e-8) {
      scale /= 2;
      next = loss(a - scale * stepA, b - scale * stepB);
    }
    if (next > current) break;
    a -= scale * stepA;
    b -= scale * stepB;
    const improved = current - next;
    current = next;
    if (improved < 1e-12 * Math.max(1, Math.abs(current))) break;
  }
  if (a >= MIN_PLATT_SLOPE) return { a, b };
  // No positive slope: the base rate (of the smoothed targets), keeping the ranking with the smallest slope.
  const mean = t.reduce((sum, v) => sum + v, 0) / Math.max(1, n);
  return { a: MIN_PLATT_SLOPE, b: logitOf(mean) };
}

/** The calibrated value of a score: `sigmoid(a * logit(score) + b)`. NaN stays NaN (through the arithmetic). */
export function applyPlatt(params: PlattParams, score: number): number {
  return sigmoid(params.a * logitOf(score) + params.b);
}
