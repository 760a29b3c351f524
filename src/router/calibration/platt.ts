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

/** One accepted Newton step of {@link fitPlatt}, as its `onStep` option sees it. */
export interface PlattStep {
  /** Step number, from 0. */
  readonly iteration: number;
  /** Slope after the step. */
  readonly a: number;
  /** Intercept after the step. */
  readonly b: number;
  /** The log-loss against the smoothed targets after the step (never above the loss before it). */
  readonly loss: number;
  /** The fraction of the Newton step taken: 1, or halved until the loss no longer rose. */
  readonly scale: number;
}

/** Options of {@link fitPlatt}. */
export interface PlattFitOptions {
  /** The most Newton steps taken (default 100). */
  readonly maxIterations?: number;
  /** Called after each accepted step, to follow the fit. */
  readonly onStep?: (step: PlattStep) => void;
}

/**
 * Fits Platt scaling of `scores` (probabilities) against binary `labels` (1 = the crowd is wrong).
 * Targets are `(N1 + 1) / (N1 + 2)` for a 1 and `1 / (N0 + 2)` for a 0 (Platt, 1999), so the fit never claims
 * certainty; Newton's method with step halving from `a = 1, b = 0` (the identity map).
 *
 * The fit stops after `maxIterations` steps, after a step that lowered the log-loss by less than 1e-12 of it
 * (at least 1e-12), or when no fraction of the Newton step down to 1e-8 lowers it.
 */
export function fitPlatt(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: PlattFitOptions = {},
): PlattParams {
  const maxIterations = options.maxIterations ?? 100;
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
    options.onStep?.({ iteration: iter, a, b, loss: current, scale });
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
