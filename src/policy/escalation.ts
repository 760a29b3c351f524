import { shouldEscalate } from "./decision.js";
import { lookaheadDecision } from "./lookahead.js";
import type { LookaheadRule, TierEstimate } from "./lookahead.js";

/**
 * Everything the escalation decision after one tier depends on, as plain values: the router's output, the
 * policy (Equation 5's threshold, or a look-ahead over the remaining tiers) and the money (what this query has
 * spent, what the next tier is expected to cost, the per-query cap and the shared budget's state).
 */
export interface EscalationInput {
  /** The router's `P_fail` for the tier's answer (taken as 1 when not finite or when no member answered). */
  readonly pFail: number;
  /** Whether at least one member of the tier answered; when none did the query escalates (guards permitting). */
  readonly answered: boolean;
  /** Equation 5's threshold in force at this boundary: escalate iff `pFail > threshold`. */
  readonly threshold: number;
  /** Decide by expected value over the remaining tiers instead of the threshold. */
  readonly lookahead?: {
    /** Value of a correct answer, in the unit of the tiers' costs. */
    readonly utility: number;
    /** Estimates of the tiers above this one, nearest first. */
    readonly remaining: readonly TierEstimate[];
    /** `optimal` (default) or `myopic`. */
    readonly rule?: LookaheadRule;
  };
  /** Estimated USD cost of calling the next tier on this query. */
  readonly nextTierCostUsd: number;
  /** USD this query has spent so far (every tier that ran). */
  readonly spentUsd: number;
  /** The per-query cost cap in USD, when one is set. */
  readonly maxCostPerQuery?: number;
  /** The shared budget's state, when one is set. */
  readonly budget?: { readonly spentUsd: number; readonly limitUsd: number };
}

/** Which guard refused an escalation the policy asked for. */
export type EscalationGuard = "maxCostPerQuery" | "budget";

/** The decision after one tier: go on to the next tier or stop here, and why when it was not the policy's call. */
export interface EscalationDecision {
  /** Whether the query goes on to the next tier. */
  readonly escalate: boolean;
  /** The `P_fail` the decision used (1 when the router's was not finite or no member answered). */
  readonly pFail: number;
  /** Why, when the decision was forced: every member failed (escalate) or a guard refused (stop). */
  readonly reason?: string;
  /** The guard that refused the escalation, when one did. */
  readonly refusedBy?: EscalationGuard;
  /** The expected values compared, when the look-ahead policy decided. */
  readonly lookahead?: { readonly rule: LookaheadRule; readonly valueStop: number; readonly valueContinue: number };
}

/**
 * The pyramid's decision at a tier boundary, a pure function of its input:
 *
 * 1. the policy: Equation 5, escalate iff `P_fail > threshold` ({@link shouldEscalate}), or the look-ahead's
 *    comparison of expected values ({@link lookaheadDecision}) when `lookahead` is given;
 * 2. a tier where every member failed escalates whatever the policy says;
 * 3. the guards, in order, refuse an escalation that would cost too much: `spentUsd + nextTierCostUsd` over
 *    `maxCostPerQuery`, then `budget.spentUsd + nextTierCostUsd` over `budget.limitUsd`.
 */
export function decideEscalation(input: EscalationInput): EscalationDecision {
  const pFail = input.answered && Number.isFinite(input.pFail) ? input.pFail : 1;
  const lookahead = input.lookahead
    ? lookaheadDecision(
        { pFail, remaining: [...input.lookahead.remaining], utility: input.lookahead.utility },
        input.lookahead.rule ?? "optimal",
      )
    : undefined;
  const looked = lookahead
    ? { lookahead: { rule: lookahead.rule, valueStop: lookahead.valueStop, valueContinue: lookahead.valueContinue } }
    : {};
  const policyEscalates = lookahead ? lookahead.escalate : shouldEscalate(pFail, input.threshold);
  const forced = input.answered ? {} : { reason: "every member of this tier failed" };
  if (!policyEscalates && input.answered) return { escalate: false, pFail, ...looked };
  const next = input.nextTierCostUsd;
  const spent = input.spentUsd;
  if (input.maxCostPerQuery !== undefined && spent + next > input.maxCostPerQuery) {
    return {
      escalate: false,
      pFail,
      refusedBy: "maxCostPerQuery",
      reason: `maxCostPerQuery: spent ${spent.toFixed(6)} USD, next tier ~${next.toFixed(6)} USD, limit ${input.maxCostPerQuery} USD`,
      ...looked,
    };
  }
  const budget = input.budget;
  if (budget && budget.spentUsd + next > budget.limitUsd) {
    const remaining = Math.max(0, budget.limitUsd - budget.spentUsd);
    return {
      escalate: false,
      pFail,
      refusedBy: "budget",
      reason: `budget exhausted: ${remaining.toFixed(6)} USD left, next tier ~${next.toFixed(6)} USD`,
      ...looked,
    };
  }
  return { escalate: true, pFail, ...forced, ...looked };
}
