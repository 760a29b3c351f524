/**
 * Reliability of predicted probabilities: predicted versus observed rate per bin, expected calibration error (ECE),
 * maximum calibration error and Brier score. For a router: predicted `P_fail` versus the observed crowd error rate.
 */

/** How predictions are grouped into bins. */
export type ReliabilityBinning = "equal-width" | "equal-mass";

/** One bin of a reliability table. */
export interface ReliabilityBin {
  /** Lower edge of the bin (inclusive). */
  readonly lower: number;
  /** Upper edge (exclusive, except the last bin, which includes 1). */
  readonly upper: number;
  /** Predictions in the bin. */
  readonly count: number;
  /** Mean predicted probability in the bin (NaN when empty). */
  readonly meanPredicted: number;
  /** Observed rate of the outcome in the bin (NaN when empty). */
  readonly observedRate: number;
  /** Wilson score interval of the observed rate at the table's `level` (NaN when empty). */
  readonly observedLower: number;
  /** Upper end of the Wilson interval. */
  readonly observedUpper: number;
}

/** A reliability table with its summary errors. */
export interface ReliabilityReport {
  /** Number of predictions. */
  readonly count: number;
  /** How the bins were formed. */
  readonly binning: ReliabilityBinning;
  /** Confidence level of the bins' Wilson intervals. */
  readonly level: number;
  /** The bins, ascending (empty ones included for equal-width bins). */
  readonly bins: ReliabilityBin[];
  /** Expected calibration error: sum over bins of `count / N * |meanPredicted - observedRate|`. */
  readonly ece: number;
  /** Maximum calibration error: the largest `|meanPredicted - observedRate|` over non-empty bins. */
  readonly mce: number;
  /** Brier score: mean squared difference between prediction and outcome. */
  readonly brier: number;
  /** Mean prediction and observed rate over all predictions. */
  readonly meanPredicted: number;
  readonly observedRate: number;
}

/** Options of {@link reliabilityReport}. */
export interface ReliabilityOptions {
  /** Number of bins (default 10). */
  readonly bins?: number;
  /** `equal-width` bins on [0, 1] (default) or `equal-mass` bins (quantiles of the predictions). */
  readonly binning?: ReliabilityBinning;
  /** Level of the Wilson intervals (default 0.9). */
  readonly level?: number;
}

/** Standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/** Wilson score interval of `successes` out of `n` at confidence `level` ([NaN, NaN] for n = 0). */
export function wilsonInterval(successes: number, n: number, level: number): [number, number] {
  if (n === 0) return [Number.NaN, Number.NaN];
  const z = normalQuantile(1 - (1 - level) / 2);
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/**
 * The reliability table of probabilities `predicted` (in [0, 1]) against binary `outcomes` (1 = the event happened,
 * for a router: the crowd was wrong). NaN predictions are left out.
 */
export function reliabilityReport(
  predicted: ArrayLike<number>,
  outcomes: ArrayLike<number | boolean>,
  options: ReliabilityOptions = {},
): ReliabilityReport {
  const binCount = Math.max(1, Math.floor(options.bins ?? 10));
  const binning = options.binning ?? "equal-width";
  const level = options.level ?? 0.9;
  const rows: { p: number; y: number }[] = [];
  for (let i = 0; i < predicted.length; i++) {
    const p = predicted[i];
    if (Number.isNaN(p)) continue;
    rows.push({ p: Math.min(1, Math.max(0, p)), y: Number(outcomes[i]) === 1 ? 1 : 0 });
  }
  rows.sort((a, b) => a.p - b.p);
  const n = rows.length;
  const groups: { lower: number; upper: number; members: { p: number; y: number }[] }[] = [];
  if (binning === "equal-width") {
    for (let b = 0; b < binCount; b++) groups.push({ lower: b / binCount, upper: (b + 1) / binCount, members: [] });
    for (const row of rows) groups[Math.min(binCount - 1, Math.floor(row.p * binCount))].members.push(row);
  } else {
    // Quantile bins; equal predictions stay in one bin (a bin may then hold more than its share).
    let start = 0;
    for (let b = 0; b < binCount && start < n; b++) {
      let end = Math.max(start + 1, Math.round(((b + 1) * n) / binCount));
      while (end < n && rows[end].p === rows[end - 1].p) end++;
      const members = rows.slice(start, end);
      groups.push({ lower: members[0].p, upper: members[members.length - 1].p, members });
      start = end;
    }
  }
  let ece = 0;
  let mce = 0;
  const bins = groups.map((g): ReliabilityBin => {
    const count = g.members.length;
    const positives = g.members.reduce((s, r) => s + r.y, 0);
    const meanPredicted = count > 0 ? g.members.reduce((s, r) => s + r.p, 0) / count : Number.NaN;
    const observedRate = count > 0 ? positives / count : Number.NaN;
    if (count > 0) {
      const gap = Math.abs(meanPredicted - observedRate);
      ece += (count / n) * gap;
      mce = Math.max(mce, gap);
    }
    const [observedLower, observedUpper] = wilsonInterval(positives, count, level);
    return { lower: g.lower, upper: g.upper, count, meanPredicted, observedRate, observedLower, observedUpper };
  });
  const brier = n > 0 ? rows.reduce((s, r) => s + (r.p - r.y) ** 2, 0) / n : Number.NaN;
  return {
    count: n,
    binning,
    level,
    bins,
    ece: n > 0 ? ece : Number.NaN,
    mce: n > 0 ? mce : Number.NaN,
    brier,
    meanPredicted: n > 0 ? rows.reduce((s, r) => s + r.p, 0) / n : Number.NaN,
    observedRate: n > 0 ? rows.reduce((s, r) => s + r.y, 0) / n : Number.NaN,
  };
}
