import { profileRowOf, tallyAtThreshold, type EscalationTally } from "../../policy/profile.js";
import type { GradedQuery, RuleScore } from "./types.js";

/** One point of the performance profile: the pyramid at threshold `t`. */
export interface ProfilePoint extends RuleScore {
  threshold: number;
  /** Fraction of the crowd's errors that were escalated. */
  recall: number;
}

/** The thresholds of the paper's Figure 5: 0.05, 0.10, ..., 0.95. */
export function defaultThresholds(step = 0.05): number[] {
  const out: number[] = [];
  for (let k = 1; k * step < 1 - 1e-9; k += 1) out.push(Number((k * step).toFixed(10)));
  return out;
}

/**
 * The report's profile point of a tally (computed by the profile shared with preset calibration,
 * `src/policy/profile.ts`), named like a rule score.
 */
function profilePoint(tally: EscalationTally, name: string, threshold: number): ProfilePoint {
  const row = profileRowOf(tally, threshold);
  return {
    name,
    accuracy: row.accuracy,
    escalationRate: row.escalationRate,
    cost: row.cost,
    costPerQuery: row.meanCost,
    costFraction: row.costFraction,
    costSaving: row.costSaving,
    threshold,
    recall: row.recall,
  };
}

/** Accuracy, escalation rate, cost saving and recall of crowd errors at each threshold. */
export function performanceProfile(
  queries: readonly GradedQuery[],
  thresholds: readonly number[] = defaultThresholds(),
): ProfilePoint[] {
  return thresholds.map((t) => profilePoint(tallyAtThreshold(queries, t), `pyramid (t=${t.toFixed(2)})`, t));
}

/** Confusion matrix of escalation versus crowd error at threshold `t` (positive = crowd wrong). */
export interface Confusion {
  threshold: number;
  /** Escalated, crowd wrong. */
  truePositive: number;
  /** Escalated, crowd right (wasted Oracle calls). */
  falsePositive: number;
  /** Kept, crowd wrong (missed errors). */
  falseNegative: number;
  /** Kept, crowd right. */
  trueNegative: number;
  /** TP / (TP + FN): fraction of crowd errors escalated (NaN when the crowd made none). */
  recall: number;
  /** TP / (TP + FP) (NaN when nothing was escalated). */
  precision: number;
}

/** The confusion matrix at threshold `t`. */
export function confusionAt(queries: readonly GradedQuery[], t: number): Confusion {
  const tally = tallyAtThreshold(queries, t);
  const row = profileRowOf(tally, t);
  const truePositive = tally.escalatedCrowdWrong;
  const falseNegative = tally.crowdErrors - truePositive;
  return {
    threshold: t,
    truePositive,
    falsePositive: tally.escalated - truePositive,
    falseNegative,
    trueNegative: tally.queries - tally.escalated - falseNegative,
    recall: row.recall,
    precision: row.precision,
  };
}

/** One row of the paper's Table 3 (Theorem 1) at threshold `t`. */
export interface Theorem1Row {
  threshold: number;
  /** p_R: fraction of queries escalated. */
  pR: number;
  /** Number of escalated queries. */
  escalated: number;
  /** alpha_L1(R): the crowd's accuracy on the escalated subset R (NaN when R is empty). */
  alphaL1: number;
  /** alpha_L2(R): the Oracle's accuracy on R (NaN when R is empty). */
  alphaL2: number;
  /** alpha_L2(R) - alpha_L1(R). */
  gap: number;
  /** Accuracy of the pyramid minus the crowd's: p_R * gap. */
  deltaAccuracy: number;
  /** Theorem 1's condition: alpha_L2(R) >= alpha_L1(R) (escalation does not hurt); true when R is empty. */
  satisfied: boolean;
}

/** The Theorem 1 quantities at threshold `t`. */
export function theorem1At(queries: readonly GradedQuery[], t: number): Theorem1Row {
  const tally = tallyAtThreshold(queries, t);
  const escalated = tally.escalated;
  const pR = profileRowOf(tally, t).escalationRate;
  const alphaL1 = escalated > 0 ? (escalated - tally.escalatedCrowdWrong) / escalated : Number.NaN;
  const alphaL2 = escalated > 0 ? tally.escalatedOracleCorrect / escalated : Number.NaN;
  const gap = escalated > 0 ? alphaL2 - alphaL1 : 0;
  return {
    threshold: t,
    pR,
    escalated,
    alphaL1,
    alphaL2,
    gap,
    deltaAccuracy: pR * gap,
    satisfied: escalated === 0 || alphaL2 >= alphaL1,
  };
}

/** Theorem 1 rows at each threshold. */
export function theorem1Table(
  queries: readonly GradedQuery[],
  thresholds: readonly number[] = defaultThresholds(),
): Theorem1Row[] {
  return thresholds.map((t) => theorem1At(queries, t));
}

/**
 * The learned router's best accuracy at a cost no higher than `cost` over a fine threshold sweep
 * (every distinct pFail value), for comparing frontiers with baseline points.
 */
export function routerAccuracyAtCost(queries: readonly GradedQuery[], cost: number): number {
  const sweep = frontierSweep(queries);
  let best = Number.NEGATIVE_INFINITY;
  for (const p of sweep) if (p.cost <= cost + 1e-12 && p.accuracy > best) best = p.accuracy;
  return best;
}

/**
 * The learned router's accuracy/cost at every distinct threshold (each distinct pFail value, plus
 * "escalate nothing" and "escalate everything"), sorted by cost: the frontier curve.
 */
export function frontierSweep(queries: readonly GradedQuery[]): ProfilePoint[] {
  const values = [...new Set(queries.map((q) => q.pFail))].sort((a, b) => a - b);
  const thresholds = [-Infinity, ...values];
  const points = thresholds.map((t) =>
    profilePoint(tallyAtThreshold(queries, t), "learned router", t === -Infinity ? 0 : t),
  );
  return points.sort((a, b) => a.cost - b.cost || b.accuracy - a.accuracy);
}
