/**
 * Presets with a stated guarantee: Learn-then-Test (Angelopoulos, Bates, Candès, Jordan and Lei, 2021) on graded
 * predictions the router did not train on. Thresholds are tested in ascending order (escalating less and less) at
 * level `alpha`, in a fixed sequence: the chosen threshold is the highest one whose test and all the lower ones'
 * reject. Two tests:
 *
 * - `"binomial"` (default): the **harm** of a threshold `t` is the share of queries the Oracle answers right and the
 *   pyramid wrong (kept at the crowd although the crowd is wrong), `H(t)`. The null "H(t) > delta" is tested with the
 *   exact binomial tail: p = P(Binomial(n, delta) <= harms on the calibration rows). Harms never decrease with `t`, so
 *   the sequence stops at the first threshold with too many harms. Since the accuracy given up against the Oracle is
 *   at most the harm, **P(accuracy >= Oracle's accuracy - delta) >= 1 - alpha** (indeed P(H <= delta) >= 1 - alpha).
 * - `"betting"`: the risk `R(t) = E[oracleCorrect - correct(t)]` (each query's loss -1, 0 or 1, so the queries the
 *   pyramid gets right and the Oracle wrong count in its favour), null "R(t) > delta", a Waudby-Smith-Ramdas betting
 *   p-value on the rows in a seeded order (so the p-value depends on that order). Same guarantee on the accuracy.
 *
 * Both hold over the draw of the calibration rows, for queries exchangeable with them.
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

/**
 * The test behind a risk-controlling threshold: the exact binomial tail of the harm, a betting p-value of the net risk,
 * the conditional test of the net loss on the discordant rows, or the Bonferroni combination of the harm and betting
 * tests.
 */
export type RiskTest = "binomial" | "betting" | "discordant" | "combined" | "trinomial" | "weighted";

/** The guarantee of a risk-controlling threshold: the accuracy given up at most `delta` with probability `1 - alpha`. */
export interface RiskGuarantee {
  /** Accuracy (a fraction) the pyramid may give up against the Oracle alone. */
  readonly delta: number;
  /** Probability that the guarantee fails (over the draw of the calibration rows). */
  readonly alpha: number;
  /** The test of each threshold (default `"binomial"`). */
  readonly test?: RiskTest;
}

/**
 * P(X <= k) for X ~ Binomial(n, p), exactly (terms summed in log space, so it neither underflows nor overflows for
 * thousands of trials): 0 for k < 0, 1 for k >= n.
 */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  const top = Math.floor(k);
  const logRatio = Math.log(p) - Math.log1p(-p);
  let logTerm = n * Math.log1p(-p);
  const logs = [logTerm];
  for (let i = 1; i <= top; i++) {
    logTerm += Math.log((n - i + 1) / i) + logRatio;
    logs.push(logTerm);
  }
  const largest = Math.max(...logs);
  const sum = logs.reduce((acc, x) => acc + Math.exp(x - largest), 0);
  return Math.min(1, Math.exp(largest) * sum);
}

/**
 * The one-sided Clopper-Pearson upper bound of a binomial rate from `k` events in `n` trials at level `alpha`: the
 * rate `p` at which P(Binomial(n, p) <= k) = alpha (bisection to 1e-12); 1 when k >= n. With k = 0 it is
 * `1 - alpha^(1/n)`.
 */
export function clopperPearsonUpper(k: number, n: number, alpha: number): number {
  if (k >= n) return 1;
  let lo = 0;
  let hi = 1;
  for (let step = 0; step < 60 && hi - lo > 1e-12; step++) {
    const mid = (lo + hi) / 2;
    if (binomialCdf(k, n, mid) > alpha) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * The exact binomial p-value of "the harm rate is above `delta`" from `harms` harmful queries among `n`:
 * P(Binomial(n, delta) <= harms). Valid: under any harm rate above `delta`, P(p-value <= u) <= u.
 */
export function harmPValue(harms: number, n: number, delta: number): number {
  if (n === 0) return 1;
  return binomialCdf(harms, n, delta);
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
 * The conditional (McNemar-style) p-value of "the net loss `(harms - gains) / n` has mean above `delta`" from the
 * discordant rows, with a Berger-Boos restriction of the nuisance: `d = harms + gains` discordant rows among `n`;
 * `U` = the Clopper-Pearson upper bound of the discordant rate `p_d` at level `gamma`;
 * p = gamma + P(Binomial(d, q0) <= harms), q0 = (1 + delta / U) / 2 (the second term is 0 when U <= delta).
 *
 * Why it is valid: given d, harms ~ Binomial(d, q) with q = p_h / p_d, and the net loss is p_h - p_g = p_d (2q - 1).
 * Under the null p_d (2q - 1) > delta, so q > (1 + delta / p_d) / 2, which is at least q0 whenever p_d <= U, and
 * P(p_d > U) <= gamma. What the conditional test alone bounds is the net loss per discordant row, (2q - 1); the bound U
 * on p_d turns it into a bound on the net loss per query. Any p-value this returns is at least `gamma`.
 */
export function discordantPValue(harms: number, gains: number, n: number, delta: number, gamma: number): number {
  if (n === 0) return 1;
  const d = harms + gains;
  const upper = clopperPearsonUpper(d, n, gamma);
  if (upper <= delta) return gamma;
  const q0 = (1 + delta / upper) / 2;
  return Math.min(1, gamma + binomialCdf(harms, d, q0));
}

/**
 * The Bonferroni combination of the exact binomial test of the harm and the betting test of the net risk, each at
 * `alpha / 2`: p = min(1, 2 min(p_harm, p_betting)), where the betting p-value bets as for level `alpha / 2`. Both are
 * valid for the null "net loss above `delta`" (the harm is at least the net loss), so their combination is.
 */
export function combinedPValue(harms: number, losses: ArrayLike<number>, delta: number, alpha: number): number {
  const harm = harmPValue(harms, losses.length, delta);
  const betting = bettingPValue(losses, delta, alpha / 2);
  return Math.min(1, 2 * Math.min(harm, betting));
}

/**
 * P(H - w G <= k) for `n` independent rows, each a harm with probability `ph`, a gain with probability `pg`, neither
 * otherwise (H harms, G gains, w = `gainWeight`, 1 by default: the net loss): the sum over the discordant count
 * D ~ Binomial(n, ph + pg) of P(D = d) P(Binomial(d, q) - w (d - Binomial(d, q)) <= k), with q = ph / (ph + pg). Counts d beyond the mean whose probability is negligible (below 1e-13) are not summed: their
 * whole remaining probability is added instead, so the result is never below the exact value.
 */
export function netLossCdf(k: number, n: number, ph: number, pg: number, gainWeight = 1): number {
  const pd = Math.min(1, ph + pg);
  if (pd <= 0) return k >= 0 ? 1 : 0;
  const q = Math.min(1, ph / pd);
  // H - w (d - H) <= k iff H <= (k + w d) / (1 + w) (a hair of slack for the float division).
  const cutoff = (d: number): number => Math.floor((k + gainWeight * d) / (1 + gainWeight) + 1e-9);
  if (pd >= 1) return binomialCdf(cutoff(n), n, q);
  const logRatio = Math.log(pd) - Math.log1p(-pd);
  let logPmf = n * Math.log1p(-pd);
  let mass = 0;
  let total = 0;
  for (let d = 0; d <= n; d++) {
    if (d > 0) logPmf += Math.log((n - d + 1) / d) + logRatio;
    const pmf = Math.exp(logPmf);
    mass += pmf;
    total += pmf * binomialCdf(cutoff(d), d, q);
    if (d > n * pd && pmf < 1e-13) break;
  }
  return Math.min(1, total + Math.max(0, 1 - mass));
}

/** The weight of a gain against a harm in the `"weighted"` test's statistic H - w G. */
export const WEIGHTED_GAIN = 0.5;

/** The number of intervals of the discordant rate over which {@link trinomialPValue} bounds the null's tail. */
export const TRINOMIAL_GRID = 40;

/**
 * The exact unconditional (trinomial) p-value of "the net loss per query, E[harm - gain], is above `delta`" from the
 * statistic H - G (`harms` minus `gains` among `n` rows), with a Berger-Boos restriction of the nuisance (the discordant
 * rate p_d = p_h + p_g): U = the Clopper-Pearson upper bound of p_d at level `gamma`, and
 * p = gamma + sup over the null boundary p_h - p_g = delta with p_d in [delta, U] of P(H - G <= harms - gains).
 *
 * Why it is valid: for any null point (p_h - p_g > delta), moving harm mass to "no difference" until p_h - p_g = delta
 * makes H - G stochastically smaller (so its tail larger) and lowers p_d, so the sup over the boundary with p_d <= U
 * bounds the tail at the true point whenever p_d <= U; P(p_d > U) <= gamma. The sup over each of `TRINOMIAL_GRID`
 * intervals [a, b] of p_d is bounded by the tail at p_h = (a + delta) / 2, p_g = (b - delta) / 2, a distribution
 * stochastically smaller than every boundary point of the interval; so the p-value is exact-or-conservative, never
 * anti-conservative. Every p-value it returns is at least `gamma`.
 *
 * `gainWeight` w < 1 orders the outcomes by H - w G instead (a gain counts for w of a harm): the same argument holds
 * (the statistic still grows with each row's loss), and the tail is then largest at small discordant rates, where the
 * test is close to the binomial test of the harm while still crediting gains.
 */
export function trinomialPValue(
  harms: number,
  gains: number,
  n: number,
  delta: number,
  gamma: number,
  gainWeight = 1,
): number {
  if (n === 0) return 1;
  const upper = clopperPearsonUpper(harms + gains, n, gamma);
  if (upper <= delta) return gamma;
  const k = harms - gainWeight * gains;
  let sup = 0;
  for (let i = 0; i < TRINOMIAL_GRID; i++) {
    const a = delta + ((upper - delta) * i) / TRINOMIAL_GRID;
    const b = delta + ((upper - delta) * (i + 1)) / TRINOMIAL_GRID;
    sup = Math.max(sup, netLossCdf(k, n, (a + delta) / 2, (b - delta) / 2, gainWeight));
    if (gamma + sup >= 1) return 1;
  }
  return Math.min(1, gamma + sup);
}

/** The share of `alpha` the discordant and trinomial tests spend on bounding the discordant rate (`gamma = alpha / 4`). */
export const NUISANCE_GAMMA_SHARE = 0.25;

/**
 * The highest threshold among `thresholds` (ascending) whose risk is certified at most `guarantee.delta` at level
 * `guarantee.alpha` by fixed-sequence testing (`guarantee.test`: the exact binomial test of the harm by default, the
 * betting test of the risk on `rows` in an order seeded by `seed`, the discordant test of the net loss, or the
 * Bonferroni combination of the harm and betting tests). Falls back to 0 (escalate every query whose `P_fail` is above
 * 0) when even the lowest threshold is not certified.
 */
export function riskControlledThreshold(
  rows: readonly GradedPrediction[],
  thresholds: readonly number[],
  guarantee: RiskGuarantee,
  seed: number,
): RiskControlResult {
  const test = guarantee.test ?? "binomial";
  const n = rows.length;
  const sorted = [...rows].sort((a, b) => a.pFail - b.pFail);
  const needsLosses = test === "betting" || test === "combined";
  const ordered = needsLosses ? seededOrder(n, seed).map((i) => rows[i]) : [];
  const losses = new Float64Array(ordered.length);
  let chosen: RiskControlResult = { threshold: 0, certified: false, pValue: 1, tested: 0 };
  let kept = 0;
  let harms = 0;
  let gains = 0;
  let tested = 0;
  let lastKey = -1;
  let lastP = 1;
  for (const t of thresholds) {
    tested++;
    while (kept < n && sorted[kept].pFail <= t) {
      const row = sorted[kept];
      if (row.oracleCorrect && !row.crowdCorrect) harms++;
      if (!row.oracleCorrect && row.crowdCorrect) gains++;
      kept++;
    }
    if (needsLosses)
      ordered.forEach((row, i) => {
        const correct = row.pFail > t ? row.oracleCorrect : row.crowdCorrect;
        losses[i] = (row.oracleCorrect ? 1 : 0) - (correct ? 1 : 0);
      });
    // The count-based tests depend on (harms, gains) only: reuse the p-value while no discordant row is added.
    const countKey = harms * (n + 1) + gains;
    const p =
      test === "binomial"
        ? harmPValue(harms, n, guarantee.delta)
        : test === "betting"
          ? bettingPValue(losses, guarantee.delta, guarantee.alpha)
          : test === "combined"
            ? combinedPValue(harms, losses, guarantee.delta, guarantee.alpha)
            : countKey === lastKey
              ? lastP
              : test === "trinomial" || test === "weighted"
                ? trinomialPValue(
                    harms,
                    gains,
                    n,
                    guarantee.delta,
                    NUISANCE_GAMMA_SHARE * guarantee.alpha,
                    test === "weighted" ? WEIGHTED_GAIN : 1,
                  )
                : discordantPValue(harms, gains, n, guarantee.delta, NUISANCE_GAMMA_SHARE * guarantee.alpha);
    lastKey = countKey;
    lastP = p;
    if (p > guarantee.alpha) break;
    chosen = { threshold: t, certified: true, pValue: p, tested };
  }
  return { ...chosen, tested };
}

/** `accuracy >= Oracle's - 0.5 points with probability >= 90% (Learn-then-Test, ...)`: the guarantee in words. */
export function describeGuarantee(guarantee: RiskGuarantee): string {
  // Tenths of a point, or hundredths when a widened delta needs them (never rounded down: 1.24 stays 1.24).
  const tenths = (100 * guarantee.delta).toFixed(1);
  const points = Math.abs(Number(tenths) - 100 * guarantee.delta) < 1e-9 ? tenths : (100 * guarantee.delta).toFixed(2);
  const test = guarantee.test ?? "binomial";
  const how =
    test === "binomial"
      ? `exact binomial tests, in a fixed sequence, that at most ${points}% of queries are ones the Oracle answers right and the pyramid wrong`
      : test === "discordant"
        ? `exact conditional tests of the net loss on the queries where the Oracle and the pyramid differ, in a fixed sequence`
        : test === "weighted"
          ? "exact unconditional tests of the net loss ordered by harms minus half the gains, in a fixed sequence"
          : test === "trinomial"
            ? "exact unconditional (trinomial) tests of the net loss, in a fixed sequence"
            : test === "combined"
              ? "exact binomial tests of the harm and betting tests of the net loss, Bonferroni-combined, in a fixed sequence"
              : "fixed-sequence betting tests of each threshold";
  return `accuracy at least the Oracle alone's minus ${points} points with probability at least ${(100 * (1 - guarantee.alpha)).toFixed(0)}% (Learn-then-Test on the calibration rows: ${how}; holds for queries exchangeable with them)`;
}
