import { z } from "zod";
import { validate } from "../errors/validate.js";

/**
 * What is known in advance about one of the tiers above the current one.
 *
 * `accuracy` is the probability that the tier's answer is correct **on the queries that reach it**
 * (escalated queries are harder than average: estimate it on them, e.g. from validation traces).
 * Instead of (or as well as) `accuracy`, `pFailDistribution` describes what that tier's own router
 * will say once the tier has answered: a discrete distribution of its `P_fail` (e.g. a histogram of
 * the router's outputs on validation queries that reached the tier). Knowing it lets the look-ahead
 * rule value the option of stopping after that tier; its mean `P_fail` is `1 - accuracy`.
 */
export const tierEstimateSchema = z
  .object({
    /** Cost of calling the tier (same unit as `utility`). */
    cost: z.number().nonnegative(),
    /** Probability that the tier's answer is correct on the queries that reach it. */
    accuracy: z.number().min(0).max(1).optional(),
    /** Distribution of the tier's `P_fail` once it has answered: values and (unnormalised) weights. */
    pFailDistribution: z
      .array(z.object({ pFail: z.number().min(0).max(1), weight: z.number().positive() }))
      .min(1)
      .optional(),
  })
  .refine((t) => t.accuracy !== undefined || t.pFailDistribution !== undefined, {
    message: "give accuracy or pFailDistribution",
  })
  .refine(
    (t) => {
      if (t.accuracy === undefined || t.pFailDistribution === undefined) return true;
      const total = t.pFailDistribution.reduce((s, d) => s + d.weight, 0);
      const mean = t.pFailDistribution.reduce((s, d) => s + d.pFail * d.weight, 0) / total;
      return Math.abs(1 - mean - t.accuracy) <= 1e-6;
    },
    { message: "accuracy must equal 1 - the mean of pFailDistribution (or give only one of them)" },
  );

/** One remaining tier; see `tierEstimateSchema`. */
export type TierEstimate = z.input<typeof tierEstimateSchema>;

/** Input of {@link lookaheadDecision}. */
export const lookaheadInputSchema = z.object({
  /** `P_fail` of the current tier's answer, from its router. */
  pFail: z.number().min(0).max(1),
  /** The tiers above the current one, in escalation order (the next one first). */
  remaining: z.array(tierEstimateSchema),
  /** Utility of a correct answer (same unit as the costs; a wrong answer is worth 0). */
  utility: z.number().positive(),
});

/** Input of {@link lookaheadDecision}; see `lookaheadInputSchema`. */
export type LookaheadInput = z.input<typeof lookaheadInputSchema>;

/** Which rule decides: Equation 5 (next tier only) or optimal stopping over all remaining tiers. */
export type LookaheadRule = "myopic" | "optimal";

/**
 * zod schema of {@link LookaheadOptions}: decide by expected value over the remaining tiers (Hansen and
 * Zilberstein's optimal stopping) rather than by each boundary's threshold. `tiers[i]` estimates tier `i + 1` (its
 * cost in the unit of `utility`, and its accuracy on the queries that reach it); `utility` is the value of a correct
 * answer.
 */
export const lookaheadOptionsSchema = z
  .object({
    /** Value of a correct answer, in the unit of the tiers' costs. */
    utility: z.number().positive("must be a positive value of a correct answer"),
    /** Estimates of tiers 1..N-1 (every tier above the crowd), in order. */
    tiers: z.array(tierEstimateSchema).min(1, "needs one estimate per tier above the crowd").readonly(),
    /** `optimal` (default): look over all remaining tiers; `myopic`: Equation 5 against the next tier only. */
    rule: z.enum(["optimal", "myopic"]).optional(),
  })
  .strict()
  .readonly();

/** Look-ahead decisions over the remaining tiers (the `lookahead` option); see `lookaheadOptionsSchema`. */
export type LookaheadOptions = z.input<typeof lookaheadOptionsSchema>;

/** A stop-or-escalate decision with the expected values it compared. */
export interface LookaheadDecision {
  /** Whether to escalate to the next tier. */
  readonly escalate: boolean;
  /** Expected value of stopping now: `(1 - pFail) * utility`. */
  readonly valueStop: number;
  /**
   * Expected value of escalating, net of the costs still to pay: for the myopic rule, stopping at
   * the next tier (`accuracy * utility - cost`); for the optimal rule, continuing and then stopping
   * optimally at each later tier.
   */
  readonly valueContinue: number;
  /** The rule that decided. */
  readonly rule: LookaheadRule;
}

interface Tier {
  cost: number;
  /** Normalised distribution of the probability that the tier's answer is correct (1 - its P_fail). */
  outcomes: Array<{ correct: number; p: number }>;
  accuracy: number;
}

function normalise(input: LookaheadInput): { pFail: number; utility: number; tiers: Tier[] } {
  const { pFail, utility, remaining } = validate(lookaheadInputSchema, input, {
    field: "lookahead",
    fix: "pass pFail in [0, 1], a positive utility and, per remaining tier, its cost and accuracy (or pFailDistribution).",
  });
  const tiers = remaining.map((tier): Tier => {
    // Kept as P(correct) so that a point estimate gives exactly `accuracy * U` (1 - (1 - a) may not be a).
    const outcomes = tier.pFailDistribution
      ? tier.pFailDistribution.map((d) => ({ correct: 1 - d.pFail, p: d.weight }))
      : [{ correct: tier.accuracy as number, p: 1 }];
    const total = outcomes.reduce((s, o) => s + o.p, 0);
    for (const o of outcomes) o.p /= total;
    const accuracy = tier.accuracy ?? outcomes.reduce((s, o) => s + o.correct * o.p, 0);
    return { cost: tier.cost, outcomes, accuracy };
  });
  return { pFail, utility, tiers };
}

/**
 * Equation 5's threshold for escalating to the next tier: `cost / utility + (1 - accuracy)`.
 * Escalate iff `P_fail` exceeds it.
 */
export function myopicThreshold(next: { cost: number; accuracy: number }, utility: number): number {
  return next.cost / utility + (1 - next.accuracy);
}

/**
 * Decides whether to stop at the current tier or escalate, by expected value (utility of a correct
 * answer minus the costs still to pay).
 *
 * - `"myopic"` (Equation 5 of the paper): compare stopping now with escalating to the next tier and
 *   stopping there: escalate iff `(1 - pFail) U < a_next U - c_next`, i.e. iff
 *   `pFail > c_next / U + (1 - a_next)`.
 * - `"optimal"` (default; Hansen & Zilberstein's monitoring of anytime computations as optimal
 *   stopping): the value of continuing is computed backwards over all remaining tiers, each tier
 *   being a point where the pyramid will again choose between stopping (worth `(1 - P_fail) U` for
 *   the `P_fail` its router will report, drawn from `pFailDistribution`) and paying for the next tier:
 *   `W_last = a_last U`, `W_i = E[max((1 - P_i) U, W_{i+1} - c_{i+1})]`, and
 *   `valueContinue = W_next - c_next`.
 *
 * When the look-ahead beats the myopic rule: it never escalates less (its value of continuing is at
 * least the myopic one), and it escalates more — correctly, by expected value — when
 * (1) an intermediate tier is not worth its cost on its own but leads to a strong tier behind it
 * (the myopic rule stops too early in deep pyramids with a weak middle tier), or (2) the next tier's
 * router is informative (`pFailDistribution` spread out): the option to stop right after a confident
 * next tier, and to go on only when it is unsure, is worth more than its average. With a single
 * remaining tier the two rules coincide exactly (the pyramid of the paper). The look-ahead is only as
 * good as the accuracies and distributions it is given; estimate them on the queries that reach each
 * tier, not on all queries.
 *
 * @throws PyramidConfigError for invalid input (naming the field).
 */
export function lookaheadDecision(input: LookaheadInput, rule: LookaheadRule = "optimal"): LookaheadDecision {
  const { pFail, utility, tiers } = normalise(input);
  const valueStop = (1 - pFail) * utility;
  if (tiers.length === 0) return { escalate: false, valueStop, valueContinue: Number.NEGATIVE_INFINITY, rule };
  const next = tiers[0];
  if (rule === "myopic") {
    const valueContinue = next.accuracy * utility - next.cost;
    return { escalate: valueContinue > valueStop, valueStop, valueContinue, rule };
  }
  // W[i]: expected value on arriving at tier i (its cost already paid), stopping optimally afterwards.
  let after = Number.NEGATIVE_INFINITY; // W[i + 1] - c[i + 1]: the value of going on from tier i
  for (let i = tiers.length - 1; i >= 0; i--) {
    let w = 0;
    for (const outcome of tiers[i].outcomes) w += outcome.p * Math.max(outcome.correct * utility, after);
    after = w - tiers[i].cost;
  }
  const valueContinue = after;
  return { escalate: valueContinue > valueStop, valueStop, valueContinue, rule };
}
