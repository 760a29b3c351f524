import { z } from "zod";
import { seededRandom } from "../utils/random.js";
import type { ProfileQuery } from "./profile.js";

/** Options of the bootstrap over graded predictions (zod-validated where they enter: `trainRouter`, `calibratePresets`). */
export const bootstrapOptionsSchema = z
  .object({
    /** Number of resamples (each draws as many queries as the set has, with replacement). */
    resamples: z.number().int().min(10).max(100_000).default(1000),
    /** Seed of the resampling: the same seed gives the same resamples, hence the same presets. */
    seed: z.number().int().nonnegative().default(1),
    /** Level of the percentile intervals (0.9: from the 5th to the 95th percentile). */
    level: z.number().gt(0).lt(1).default(0.9),
  })
  .strict();

/** Options of the bootstrap; see {@link bootstrapOptionsSchema}. */
export type BootstrapOptions = z.input<typeof bootstrapOptionsSchema>;

/**
 * The pyramid's performance at every threshold in every bootstrap resample of a graded set. Entry `b * T + j` of the
 * per-threshold arrays is resample `b` at `thresholds[j]` (T thresholds).
 */
export interface BootstrapProfile {
  /** The thresholds, ascending (escalate iff `pFail > threshold`). */
  readonly thresholds: readonly number[];
  /** Number of resamples. */
  readonly resamples: number;
  /** Seed and interval level used. */
  readonly seed: number;
  readonly level: number;
  /** Accuracy of the pyramid. */
  readonly accuracy: Float64Array;
  /** Saving against the Oracle alone (NaN when the Oracle alone costs nothing in the resample). */
  readonly costSaving: Float64Array;
  /** Share of queries escalated. */
  readonly escalationRate: Float64Array;
  /** Per resample: accuracy of the crowd alone and of the Oracle alone (same resampled queries). */
  readonly crowdAccuracy: Float64Array;
  readonly oracleAccuracy: Float64Array;
}

/**
 * Resamples the graded queries with replacement (`resamples` times, seeded) and scores every threshold on each resample.
 * The comparison with the tiers alone is paired: each resample's crowd and Oracle accuracies are measured on the same
 * resampled queries. O(resamples x (queries + thresholds)).
 */
export function bootstrapProfile(
  rows: readonly ProfileQuery[],
  thresholds: readonly number[],
  options: BootstrapOptions = {},
): BootstrapProfile {
  const o = bootstrapOptionsSchema.parse(options);
  const n = rows.length;
  const T = thresholds.length;
  const sorted = [...thresholds].sort((a, b) => a - b);
  // Queries by descending P_fail: the queries escalated at a threshold are a prefix of this order.
  const order = rows.map((_, i) => i).sort((a, b) => rows[b].pFail - rows[a].pFail);
  // Ascending thresholds escalate ever fewer queries: one pass.
  let k = n;
  const escalatedAt = sorted.map((t) => {
    while (k > 0 && !(rows[order[k - 1]].pFail > t)) k--;
    return k;
  });
  const B = o.resamples;
  const accuracy = new Float64Array(B * T);
  const costSaving = new Float64Array(B * T);
  const escalationRate = new Float64Array(B * T);
  const crowdAccuracy = new Float64Array(B);
  const oracleAccuracy = new Float64Array(B);
  const random = seededRandom(o.seed);
  const weight = new Float64Array(n);
  // Prefix sums over `order` of: weight, crowd correct, Oracle correct, Oracle cost.
  const pW = new Float64Array(n + 1);
  const pCrowd = new Float64Array(n + 1);
  const pOracle = new Float64Array(n + 1);
  const pCost = new Float64Array(n + 1);
  for (let b = 0; b < B; b++) {
    weight.fill(0);
    for (let draw = 0; draw < n; draw++) weight[Math.floor(random() * n)] += 1;
    let crowdCost = 0;
    let oracleAlone = 0;
    for (let k = 0; k < n; k++) {
      const row = rows[order[k]];
      const w = weight[order[k]];
      pW[k + 1] = pW[k] + w;
      pCrowd[k + 1] = pCrowd[k] + (row.crowdCorrect ? w : 0);
      pOracle[k + 1] = pOracle[k] + (row.oracleCorrect ? w : 0);
      pCost[k + 1] = pCost[k] + w * row.oracleCost;
      crowdCost += w * row.crowdCost;
      oracleAlone += w * (row.oracleOnlyCost ?? row.oracleCost);
    }
    crowdAccuracy[b] = pCrowd[n] / n;
    oracleAccuracy[b] = pOracle[n] / n;
    for (let j = 0; j < T; j++) {
      const e = escalatedAt[j];
      const at = b * T + j;
      accuracy[at] = (pCrowd[n] - pCrowd[e] + pOracle[e]) / n;
      escalationRate[at] = pW[e] / n;
      costSaving[at] = oracleAlone > 0 ? 1 - (crowdCost + pCost[e]) / oracleAlone : Number.NaN;
    }
  }
  return {
    thresholds: sorted,
    resamples: B,
    seed: o.seed,
    level: o.level,
    accuracy,
    costSaving,
    escalationRate,
    crowdAccuracy,
    oracleAccuracy,
  };
}

/** The `q`-quantile of values (linear interpolation between order statistics; NaN values left out, NaN if none). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const finite = Array.from(values)
    .filter((v) => !Number.isNaN(v))
    .sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const pos = (finite.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return finite[lo] + (pos - lo) * (finite[hi] - finite[lo]);
}

/** The central percentile interval at `level` (e.g. 0.9: the 5th and 95th percentiles). */
export function percentileInterval(values: ArrayLike<number>, level: number): [number, number] {
  return [quantile(values, (1 - level) / 2), quantile(values, 1 - (1 - level) / 2)];
}

/** One threshold's column of a per-threshold array: the values of every resample at `thresholds[j]`. */
export function columnAt(profile: BootstrapProfile, values: Float64Array, j: number): Float64Array {
  const T = profile.thresholds.length;
  return Float64Array.from({ length: profile.resamples }, (_, b) => values[b * T + j]);
}

/** Percentile intervals of the pyramid's figures at `thresholds[j]`, the accuracy one also against the Oracle (paired). */
export interface PresetIntervals {
  readonly accuracy: [number, number];
  readonly costSaving: [number, number];
  readonly escalationRate: [number, number];
  /** Pyramid accuracy minus Oracle-alone accuracy, per resample. */
  readonly accuracyMinusOracle: [number, number];
}

/** The {@link PresetIntervals} at `thresholds[j]`, at the profile's level. */
export function intervalsAt(profile: BootstrapProfile, j: number): PresetIntervals {
  const accuracy = columnAt(profile, profile.accuracy, j);
  const diff = accuracy.map((a, b) => a - profile.oracleAccuracy[b]);
  return {
    accuracy: percentileInterval(accuracy, profile.level),
    costSaving: percentileInterval(columnAt(profile, profile.costSaving, j), profile.level),
    escalationRate: percentileInterval(columnAt(profile, profile.escalationRate, j), profile.level),
    accuracyMinusOracle: percentileInterval(diff, profile.level),
  };
}
