import { reliabilityReport, type ReliabilityReport } from "../../router/calibration/reliability.js";
import { theorem1At, type Theorem1Row } from "../metrics/profile.js";
import type { GradedQuery } from "../metrics/types.js";
import type { DeepQuery } from "./queries.js";
import { answeringTier, thresholdStop } from "./rules.js";

/** What happened at one boundary of the pyramid at given thresholds. */
export interface BoundaryReport {
  /** Boundary index k: after tier k. */
  readonly boundary: number;
  /** "crowd -> tier_1" etc. */
  readonly name: string;
  readonly threshold: number;
  /** Queries that reached the boundary. */
  readonly reached: number;
  /** Of those, the queries escalated to tier k+1. */
  readonly escalated: number;
  /** escalated / reached (NaN when none reached). */
  readonly escalationRate: number;
  /** Tier k's errors among the queries that reached the boundary. */
  readonly tierErrors: number;
  /** Of those, the errors escalated (caught). */
  readonly errorsCaught: number;
  /** errorsCaught / tierErrors (NaN when tier k made no error there). */
  readonly recall: number;
  /**
   * Theorem 1 at this boundary, on the queries that reached it: R = the escalated ones, alpha_L1(R) tier k's accuracy
   * on R, alpha_L2(R) the accuracy of what the pyramid above returned on R.
   */
  readonly theorem1: Theorem1Row;
  /** Reliability of this boundary's `P_fail` as the probability that tier k is wrong, on every query. */
  readonly reliability: ReliabilityReport;
}

/**
 * The queries that reached boundary k as two-tier graded queries: tier k in the crowd's place, and what the rest of the
 * pyramid (at the same thresholds) returns in the Oracle's, so that the two-tier Theorem 1 applies unchanged.
 */
export function boundaryAsTwoTier(
  queries: readonly DeepQuery[],
  thresholds: readonly number[],
  k: number,
): GradedQuery[] {
  const stop = thresholdStop(thresholds);
  return queries
    .filter((q) => answeringTier(q, stop) >= k)
    .map((q) => {
      const above = answeringTier(q, (x, j) => j > k && stop(x, j));
      let aboveCost = 0;
      for (let j = k + 1; j <= above; j++) aboveCost += q.tiers[j].cost;
      return {
        id: q.id,
        pFail: q.pFail[k],
        crowdCorrect: q.tiers[k].correct,
        oracleCorrect: q.tiers[above].correct,
        crowdCost: q.tiers[k].cost,
        oracleCost: aboveCost,
        members: q.tiers[k].members.map((m) => ({ ...m })),
      };
    });
}

/** The per-boundary report at `thresholds`. */
export function boundaryReports(queries: readonly DeepQuery[], thresholds: readonly number[]): BoundaryReport[] {
  const names = queries[0]?.tiers.map((t) => t.name) ?? [];
  return thresholds.map((t, k) => {
    const reached = boundaryAsTwoTier(queries, thresholds, k);
    const escalated = reached.filter((q) => q.pFail > t);
    const tierErrors = reached.filter((q) => !q.crowdCorrect).length;
    const errorsCaught = escalated.filter((q) => !q.crowdCorrect).length;
    return {
      boundary: k,
      name: `${names[k]} -> ${names[k + 1]}`,
      threshold: t,
      reached: reached.length,
      escalated: escalated.length,
      escalationRate: reached.length > 0 ? escalated.length / reached.length : Number.NaN,
      tierErrors,
      errorsCaught,
      recall: tierErrors > 0 ? errorsCaught / tierErrors : Number.NaN,
      theorem1: theorem1At(reached, t),
      reliability: reliabilityReport(
        queries.map((q) => q.pFail[k]),
        queries.map((q) => (q.tiers[k].correct ? 0 : 1)),
      ),
    };
  });
}
