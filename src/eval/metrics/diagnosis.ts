import { majorityVote } from "../../answers/vote.js";
import type { GradedQuery } from "./types.js";

/** One graded query and how much it stands for (1 for a graded recording; 1 / shadow rate for a shadowed query). */
export interface WeightedQuery {
  readonly query: GradedQuery;
  readonly weight: number;
}

/** A crowd member's accuracy and marginal value to the vote. */
export interface MemberDiagnosis {
  readonly model: string;
  /** Its accuracy alone. */
  readonly accuracy: number;
  /** Crowd-majority accuracy with it minus without it (ties go to the first member in order, as in the vote). */
  readonly marginal: number;
}

/** What a workload's diagnosis recommends. */
export type WorkloadRecommendation = "keep" | "change-crowd" | "oracle";

/** Whether the pyramid pays on a workload, why not when it does not, and what to do. */
export interface WorkloadDiagnosis {
  readonly queries: number;
  readonly oracleAccuracy: number;
  readonly crowdAccuracy: number;
  /** How much below the Oracle's accuracy still counts as reaching it, besides the sampling interval. */
  readonly tolerance: number;
  /** Whether "reaching" allowed the 95% interval of the paired difference with the Oracle (see `DiagnosisOptions`). */
  readonly significance: boolean;
  /**
   * The threshold with the largest saving whose accuracy is the Oracle's (not significantly below it, or within
   * `tolerance`), or `null` when none saves. `halfWidth`: that 95% interval's half-width.
   */
  readonly reaches: {
    readonly threshold: number;
    readonly accuracy: number;
    readonly saving: number;
    readonly halfWidth: number;
  } | null;
  /** The most accurate threshold that still saves (for when none reaches the Oracle). */
  readonly closest: {
    readonly threshold: number;
    readonly accuracy: number;
    readonly saving: number;
    readonly halfWidth: number;
  } | null;
  /** Fraction of queries where every member gave the same answer. */
  readonly unanimousRate: number;
  /** The crowd's accuracy on those queries (NaN when there are none). */
  readonly unanimousAccuracy: number;
  /** Saving of "escalate unless unanimous" (negative when keeping the unanimous queries saves less than the crowd costs). */
  readonly unanimousSaving: number;
  /** Saving of the perfect router (escalates exactly the crowd's errors the Oracle gets right). */
  readonly perfectSaving: number;
  /** The crowd's cost as a fraction of the Oracle's: the pyramid always pays it. */
  readonly crowdCostFraction: number;
  readonly members: readonly MemberDiagnosis[];
  readonly recommendation: WorkloadRecommendation;
  /** Why, in one or two sentences. */
  readonly reasons: readonly string[];
}

/** Options of {@link diagnoseWorkload}. */
export interface DiagnosisOptions {
  /** Accuracy below the Oracle's that still counts as reaching it, besides the sampling interval (default 0). */
  readonly tolerance?: number;
  /**
   * Count an accuracy as the Oracle's when it is not significantly below it: within the 95% interval of the paired
   * per-query difference (default true; false: only an accuracy at or above the Oracle's, less `tolerance`, counts).
   */
  readonly significance?: boolean;
}

const sum = (rows: readonly WeightedQuery[], value: (row: WeightedQuery) => number): number =>
  rows.reduce((total, row) => total + row.weight * value(row), 0);

/** Whether the majority of the members' answers, leaving member `drop` out (-1: none), is correct. */
function majorityCorrect(query: GradedQuery, drop: number): boolean {
  const members = query.members.filter((_, index) => index !== drop);
  const vote = majorityVote(members.map((member) => member.answer));
  return vote.winner >= 0 && members[vote.winner].correct;
}

interface SweepPoint {
  readonly threshold: number;
  readonly accuracy: number;
  readonly saving: number;
  /** Half-width of the 95% interval of the paired accuracy difference with the Oracle (normal approximation). */
  readonly halfWidth: number;
}

/** Accuracy and saving of "escalate iff pFail > t" at every distinct threshold (one sorted pass). */
function sweep(rows: readonly WeightedQuery[]): SweepPoint[] {
  const total = sum(rows, () => 1);
  const oracleCost = sum(rows, (row) => row.query.oracleCost);
  const crowdCost = sum(rows, (row) => row.query.crowdCost);
  // Kish's effective sample size: the number of queries for unit weights, fewer for inverse-propensity weights.
  const squares = sum(rows, (row) => row.weight);
  const effective = squares > 0 ? (total * total) / rows.reduce((s, row) => s + row.weight * row.weight, 0) : 0;
  const sorted = [...rows].sort((a, b) => a.query.pFail - b.query.pFail);
  // Start with everything escalated (t below every pFail), then keep queries in order of rising pFail.
  let correct = sum(rows, (row) => (row.query.oracleCorrect ? 1 : 0));
  let escalatedCost = oracleCost;
  // Paired per-query differences with the Oracle (-1, 0 or 1 on kept queries, 0 on escalated ones): sum and sum of squares.
  let diff = 0;
  let diffSquares = 0;
  const points: SweepPoint[] = [];
  const push = (threshold: number): void => {
    const mean = total > 0 ? diff / total : 0;
    const variance = total > 0 ? Math.max(0, diffSquares / total - mean * mean) : 0;
    points.push({
      threshold,
      accuracy: total > 0 ? correct / total : Number.NaN,
      saving: oracleCost > 0 ? 1 - (crowdCost + escalatedCost) / oracleCost : Number.NaN,
      halfWidth: effective > 0 ? 1.96 * Math.sqrt(variance / effective) : 0,
    });
  };
  push(sorted.length > 0 ? Math.min(0, sorted[0].query.pFail) - 1e-9 : 0);
  for (let i = 0; i < sorted.length; i++) {
    const { query, weight } = sorted[i];
    const d = (query.crowdCorrect ? 1 : 0) - (query.oracleCorrect ? 1 : 0);
    correct += weight * d;
    diff += weight * d;
    diffSquares += weight * d * d;
    escalatedCost -= weight * query.oracleCost;
    if (i === sorted.length - 1 || sorted[i + 1].query.pFail !== query.pFail) push(query.pFail);
  }
  return points;
}

function recommend(d: Omit<WorkloadDiagnosis, "recommendation" | "reasons">): {
  recommendation: WorkloadRecommendation;
  reasons: string[];
} {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  if (d.reaches) {
    const nothingEscalated = Math.abs(d.reaches.saving - (1 - d.crowdCostFraction)) < 1e-9;
    return {
      recommendation: "keep",
      reasons: [
        ...(nothingEscalated
          ? [
              `at that threshold nothing is escalated: the Oracle is not measurably better than the crowd's vote here (${pct(d.oracleAccuracy)} vs ${pct(d.crowdAccuracy)}), so the crowd alone would do`,
            ]
          : []),
        `the pyramid reaches the Oracle's accuracy (${pct(d.reaches.accuracy)} vs ${pct(d.oracleAccuracy)}${d.significance ? `, paired 95% interval +-${(100 * d.reaches.halfWidth).toFixed(1)} points` : ""}) at threshold ${d.reaches.threshold.toFixed(3)} with a ${pct(d.reaches.saving)} saving`,
      ],
    };
  }
  const reasons: string[] = [];
  if (d.crowdCostFraction >= 1) reasons.push(`the crowd alone costs ${pct(d.crowdCostFraction)} of the Oracle`);
  if (!(d.unanimousAccuracy >= d.oracleAccuracy - d.tolerance)) {
    reasons.push(
      `the crowd is right on only ${pct(d.unanimousAccuracy)} of the queries where it is unanimous (${pct(d.unanimousRate)} of them), below the Oracle's ${pct(d.oracleAccuracy)}: agreement cannot tell which answers to keep`,
    );
  } else if (!(d.unanimousSaving > 0)) {
    reasons.push(
      `the crowd is unanimous on only ${pct(d.unanimousRate)} of the queries (right there ${pct(d.unanimousAccuracy)}): keeping just those saves less than the crowd costs (${pct(d.crowdCostFraction)} of the Oracle)`,
    );
  }
  if (d.perfectSaving <= 0) reasons.push(`even a perfect router would save nothing (${pct(d.perfectSaving)})`);
  else reasons.push(`a perfect router would save ${pct(d.perfectSaving)}`);
  const weak = d.members.filter((member) => member.marginal <= 0);
  const changeable = d.perfectSaving > 0 && d.crowdCostFraction < 1 && weak.length > 0;
  if (changeable) {
    reasons.push(
      `${weak.map((member) => member.model).join(", ")} add${weak.length === 1 ? "s" : ""} nothing to the vote (marginal ${weak.map((member) => `${(100 * member.marginal).toFixed(1)}`).join(", ")} points): replace ${weak.length === 1 ? "it" : "them"} with a member that errs differently`,
    );
  }
  return { recommendation: changeable ? "change-crowd" : "oracle", reasons };
}

/**
 * Diagnoses a workload from graded queries (the paper's performance profile, made actionable): whether some threshold
 * reaches the Oracle's accuracy with a saving; when none does, why (how often and how rightly the crowd is unanimous,
 * what a perfect router would save, what the crowd costs); each member's accuracy and marginal value to the vote; and
 * a recommendation: keep the pyramid, change the crowd (a member adds nothing and a better router could save), or
 * send the workload to the Oracle.
 */
export function diagnoseWorkload(rows: readonly WeightedQuery[], options: DiagnosisOptions = {}): WorkloadDiagnosis {
  const tolerance = options.tolerance ?? 0;
  const significance = options.significance ?? true;
  const total = sum(rows, () => 1);
  const mean = (value: (row: WeightedQuery) => number) => (total > 0 ? sum(rows, value) / total : Number.NaN);
  const oracleAccuracy = mean((row) => (row.query.oracleCorrect ? 1 : 0));
  const crowdAccuracy = mean((row) => (row.query.crowdCorrect ? 1 : 0));
  const points = sweep(rows);
  const eps = 1e-12;
  const saving = points.filter((p) => p.saving > eps);
  const reaching = saving.filter(
    (p) => p.accuracy >= oracleAccuracy - (significance ? p.halfWidth : 0) - tolerance - eps,
  );
  const best = (list: SweepPoint[], by: (p: SweepPoint) => number) =>
    list.reduce<SweepPoint | null>((top, p) => (top === null || by(p) > by(top) ? p : top), null);
  const unanimous = rows.filter(({ query }) => {
    const answers = query.members.map((member) => member.answer);
    return answers.length > 0 && answers[0] !== null && answers.every((answer) => answer === answers[0]);
  });
  const unanimousWeight = sum(unanimous, () => 1);
  const unanimousQueries = new Set(unanimous.map((row) => row.query));
  const oracleCost = sum(rows, (row) => row.query.oracleCost);
  const perfectCost = sum(
    rows,
    ({ query }) => query.crowdCost + (!query.crowdCorrect && query.oracleCorrect ? query.oracleCost : 0),
  );
  const names = rows[0]?.query.members.map((member) => member.model) ?? [];
  const members = names.map((model, index) => ({
    model,
    accuracy: mean(({ query }) => (query.members[index]?.correct ? 1 : 0)),
    marginal:
      mean(({ query }) => (majorityCorrect(query, -1) ? 1 : 0)) -
      mean(({ query }) => (majorityCorrect(query, index) ? 1 : 0)),
  }));
  const base = {
    queries: rows.length,
    oracleAccuracy,
    crowdAccuracy,
    tolerance,
    significance,
    reaches: best(reaching, (p) => p.saving),
    closest: best(saving, (p) => p.accuracy + 1e-9 * p.saving),
    unanimousRate: total > 0 ? unanimousWeight / total : Number.NaN,
    unanimousAccuracy:
      unanimousWeight > 0 ? sum(unanimous, (row) => (row.query.crowdCorrect ? 1 : 0)) / unanimousWeight : Number.NaN,
    unanimousSaving:
      oracleCost > 0
        ? 1 -
          sum(rows, ({ query }) => query.crowdCost + (unanimousQueries.has(query) ? 0 : query.oracleCost)) / oracleCost
        : Number.NaN,
    perfectSaving: oracleCost > 0 ? 1 - perfectCost / oracleCost : Number.NaN,
    crowdCostFraction: oracleCost > 0 ? sum(rows, (row) => row.query.crowdCost) / oracleCost : Number.NaN,
    members,
  };
  return { ...base, ...recommend(base) };
}
