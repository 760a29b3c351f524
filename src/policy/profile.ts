/**
 * The performance profile of a two-tier pyramid on graded queries: one pass over the queries per
 * escalation rule, shared by preset calibration (`src/policy/calibrate.ts`) and the evaluation
 * reports (`src/eval/metrics/`), so that both compute accuracy, escalation rate, cost, saving and
 * recall of crowd errors the same way.
 */

/**
 * What the profile needs of one graded query. The pyramid answers with the crowd, paying
 * `crowdCost`; when it escalates it also pays `oracleCost` and takes the Oracle's answer.
 */
export interface ProfileQuery {
  /** Router output; the threshold rule escalates iff `pFail > threshold`. */
  readonly pFail: number;
  /** Whether the crowd's majority answer is correct. */
  readonly crowdCorrect: boolean;
  /** Whether the Oracle's answer is correct. */
  readonly oracleCorrect: boolean;
  /** Cost of the crowd tier (paid on every query). */
  readonly crowdCost: number;
  /** Cost of the Oracle call when the pyramid escalates. */
  readonly oracleCost: number;
  /** Cost of the Oracle alone on this query (the baseline of the saving); defaults to `oracleCost`. */
  readonly oracleOnlyCost?: number;
}

/** Counts and costs of one escalation rule over a set of graded queries. */
export interface EscalationTally {
  /** Number of queries. */
  readonly queries: number;
  /** Queries escalated to the Oracle. */
  readonly escalated: number;
  /** Queries answered correctly (the Oracle's answer when escalated, else the crowd's). */
  readonly correct: number;
  /** Total cost: every crowd call plus the Oracle calls of escalated queries. */
  readonly cost: number;
  /** Total cost of the Oracle alone on every query. */
  readonly oracleAloneCost: number;
  /** Queries on which the crowd is wrong. */
  readonly crowdErrors: number;
  /** Escalated queries on which the crowd is wrong (crowd errors caught). */
  readonly escalatedCrowdWrong: number;
  /** Escalated queries on which the Oracle is right. */
  readonly escalatedOracleCorrect: number;
}

/**
 * Tallies the rule that escalates the queries for which `escalate(query, index)` is true. Costs are
 * added query by query (`crowdCost + oracleCost` for an escalated one), in order.
 */
export function tallyEscalation<Q extends ProfileQuery>(
  queries: readonly Q[],
  escalate: (query: Q, index: number) => boolean,
): EscalationTally {
  let escalated = 0;
  let correct = 0;
  let cost = 0;
  let oracleAloneCost = 0;
  let crowdErrors = 0;
  let escalatedCrowdWrong = 0;
  let escalatedOracleCorrect = 0;
  queries.forEach((query, index) => {
    const up = escalate(query, index);
    if (!query.crowdCorrect) crowdErrors++;
    oracleAloneCost += query.oracleOnlyCost ?? query.oracleCost;
    cost += query.crowdCost + (up ? query.oracleCost : 0);
    if (up) {
      escalated++;
      if (!query.crowdCorrect) escalatedCrowdWrong++;
      if (query.oracleCorrect) escalatedOracleCorrect++;
    }
    if (up ? query.oracleCorrect : query.crowdCorrect) correct++;
  });
  return {
    queries: queries.length,
    escalated,
    correct,
    cost,
    oracleAloneCost,
    crowdErrors,
    escalatedCrowdWrong,
    escalatedOracleCorrect,
  };
}

/** The pyramid at one threshold: one row of the performance profile. */
export interface ProfileRow {
  /** Escalate iff `pFail > threshold`. */
  readonly threshold: number;
  /** Fraction of queries answered correctly. */
  readonly accuracy: number;
  /** Fraction of queries escalated to the Oracle. */
  readonly escalationRate: number;
  /** Total cost. */
  readonly cost: number;
  /** Mean cost per query. */
  readonly meanCost: number;
  /** `cost / cost of the Oracle alone` (NaN when the Oracle alone costs nothing). */
  readonly costFraction: number;
  /** `1 - costFraction`: the saving against the Oracle alone (negative when dearer). */
  readonly costSaving: number;
  /** Fraction of the crowd's errors that were escalated (NaN when the crowd is never wrong). */
  readonly recall: number;
  /** Fraction of escalated queries on which the crowd was wrong (NaN when nothing is escalated). */
  readonly precision: number;
}

/** The profile row of a tally (rates over `max(1, queries)`, so an empty set gives zeros). */
export function profileRowOf(tally: EscalationTally, threshold: number): ProfileRow {
  const n = Math.max(1, tally.queries);
  const costFraction = tally.oracleAloneCost > 0 ? tally.cost / tally.oracleAloneCost : Number.NaN;
  return {
    threshold,
    accuracy: tally.correct / n,
    escalationRate: tally.escalated / n,
    cost: tally.cost,
    meanCost: tally.cost / n,
    costFraction,
    costSaving: 1 - costFraction,
    recall: tally.crowdErrors > 0 ? tally.escalatedCrowdWrong / tally.crowdErrors : Number.NaN,
    precision: tally.escalated > 0 ? tally.escalatedCrowdWrong / tally.escalated : Number.NaN,
  };
}

/** The tally of the threshold rule: escalate iff `pFail > threshold`. */
export function tallyAtThreshold(queries: readonly ProfileQuery[], threshold: number): EscalationTally {
  return tallyEscalation(queries, (query) => query.pFail > threshold);
}

/** The pyramid's accuracy, escalation rate, cost, saving, recall and precision at `threshold`. */
export function profileAt(queries: readonly ProfileQuery[], threshold: number): ProfileRow {
  return profileRowOf(tallyAtThreshold(queries, threshold), threshold);
}

/** One {@link profileAt} row per threshold, in the order given. */
export function profileRows(queries: readonly ProfileQuery[], thresholds: readonly number[]): ProfileRow[] {
  return thresholds.map((threshold) => profileAt(queries, threshold));
}
