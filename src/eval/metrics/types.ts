/** One crowd member's graded answer on a query (for the single-model baselines). */
export interface GradedMember {
  model: string;
  /** The member's (normalized) answer, `null` when it gave none. */
  answer: string | null;
  correct: boolean;
  /** USD of this member's call. */
  cost: number;
}

/**
 * One graded query of an evaluation run: what a metric needs to score any routing rule offline.
 * Both tiers were evaluated, so every threshold can be scored from the same records.
 */
export interface GradedQuery {
  id: string;
  /** Router output: estimated probability that the crowd's majority answer is wrong. */
  pFail: number;
  /** Whether the crowd's majority answer is correct. */
  crowdCorrect: boolean;
  /** Whether the Oracle's answer is correct. */
  oracleCorrect: boolean;
  /** USD spent on the crowd's calls (paid on every query by the pyramid). */
  crowdCost: number;
  /** USD of the Oracle's call (paid only when escalating; every query for Oracle alone). */
  oracleCost: number;
  /** The members' answers (for single-model, unanimity and majority baselines). */
  members: GradedMember[];
}

/** Accuracy and cost of one routing rule over a set of queries. */
export interface RuleScore {
  /** Rule name, e.g. `Oracle alone`, `pyramid (t=0.50)`. */
  name: string;
  /** Fraction of queries answered correctly. */
  accuracy: number;
  /** Fraction of queries sent to the Oracle (0 for the crowd or a single model, 1 for Oracle alone). */
  escalationRate: number;
  /** Total USD. */
  cost: number;
  /** Mean USD per query. */
  costPerQuery: number;
  /** Cost as a fraction of Oracle alone's cost. */
  costFraction: number;
  /** 1 - costFraction: the saving versus Oracle alone (negative when dearer). */
  costSaving: number;
  /**
   * Fraction of the crowd's errors that the rule escalated (the paper's "bugs intercepted"); `undefined` for rules
   * that do not route a crowd's answer (single models). Oracle alone counts as escalating everything.
   */
  recallOfCrowdErrors?: number;
  /** Spread over random draws (random router only). */
  accuracyStd?: number;
}
