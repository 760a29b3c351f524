import { lookaheadDecision, type LookaheadOptions, type TierEstimate } from "../../policy/lookahead.js";
import { bestAccuracyAtCost, type JointPoint } from "./frontier.js";
import type { DeepQuery } from "./queries.js";
import { scoreDeepRule, type DeepRuleScore } from "./rules.js";

/** Bins of the `P_fail` histograms given to the look-ahead. */
const BINS = 10;

/**
 * The look-ahead's estimates of the tiers above the crowd, from graded queries the routers were not evaluated on
 * (the training part): each tier's mean cost in USD; for a middle tier the histogram of its router's `P_fail`
 * (`pFailDistribution`, which lets the optimal rule value stopping right after it); for the apex its accuracy on the
 * queries the router below it doubts (`P_fail > 0.5`, the queries that reach it; all queries when fewer than 10).
 */
export function lookaheadEstimates(queries: readonly DeepQuery[]): TierEstimate[] {
  const tiers = queries[0]?.tiers.length ?? 0;
  const n = Math.max(1, queries.length);
  return Array.from({ length: tiers - 1 }, (_, i): TierEstimate => {
    const k = i + 1;
    const cost = queries.reduce((s, q) => s + q.tiers[k].cost, 0) / n;
    if (k < tiers - 1) {
      const weights = new Array<number>(BINS).fill(0);
      const sums = new Array<number>(BINS).fill(0);
      for (const q of queries) {
        const b = Math.min(BINS - 1, Math.floor(q.pFail[k] * BINS));
        weights[b]++;
        sums[b] += q.pFail[k];
      }
      const pFailDistribution = weights.flatMap((w, b) =>
        w > 0 ? [{ pFail: Math.min(1, Math.max(0, sums[b] / w)), weight: w }] : [],
      );
      return { cost, pFailDistribution };
    }
    const doubted = queries.filter((q) => q.pFail[k - 1] > 0.5);
    const set = doubted.length >= 10 ? doubted : queries;
    return { cost, accuracy: set.filter((q) => q.tiers[k].correct).length / Math.max(1, set.length) };
  });
}

/** One utility of the look-ahead sweep, against the per-boundary thresholds at the same cost. */
export interface LookaheadPoint {
  /** Utility of a correct answer, as a multiple of the apex's mean cost per query. */
  readonly utilityPerApexCost: number;
  readonly options: LookaheadOptions;
  readonly score: DeepRuleScore;
  /** The best accuracy of the joint threshold sweep at a cost no higher than the look-ahead's. */
  readonly thresholdsAccuracyAtSameCost: number;
}

/** The utilities of the sweep, as multiples of the apex's mean cost per query: 1.5, 2, 3, 5, ... 1000. */
export const LOOKAHEAD_UTILITIES: readonly number[] = [1.5, 2, 3, 5, 10, 20, 50, 100, 200, 1000];

/**
 * Scores the look-ahead policy (the optimal rule over the remaining tiers, with `estimates`) at each utility on
 * `queries`, each query's stop-or-climb decision at boundary k taken by the same pure function the graph's router
 * node calls, fed that boundary's `P_fail`; and compares each point with the best per-boundary thresholds of `sweep`
 * at no higher cost.
 */
export function lookaheadSweep(
  queries: readonly DeepQuery[],
  estimates: readonly TierEstimate[],
  sweep: readonly JointPoint[],
  utilities: readonly number[] = LOOKAHEAD_UTILITIES,
): LookaheadPoint[] {
  const apexCost = estimates[estimates.length - 1]?.cost ?? 1;
  return utilities.map((multiple) => {
    const options: LookaheadOptions = { utility: multiple * (apexCost > 0 ? apexCost : 1), tiers: [...estimates] };
    const score = scoreDeepRule(
      `look-ahead (U = ${multiple} x apex cost)`,
      queries,
      (q, k) =>
        !lookaheadDecision({ pFail: q.pFail[k], remaining: estimates.slice(k), utility: options.utility }, "optimal")
          .escalate,
    );
    return {
      utilityPerApexCost: multiple,
      options,
      score,
      thresholdsAccuracyAtSameCost: bestAccuracyAtCost(sweep, score.cost),
    };
  });
}
