import { z } from "zod";
import { PyramidConfigError } from "../errors/index.js";

/**
 * When to escalate a tier's answer to the next tier.
 *
 * - `{ threshold }`: escalate iff `P_fail > threshold`.
 * - `{ costBarrier, oracleAccuracy }`: the paper's Equation 5, escalate iff
 *   `P_fail > costBarrier + (1 - oracleAccuracy)`, where `costBarrier = C_esc / U_correct` (the cost of
 *   escalating over the utility of a correct answer) and `oracleAccuracy` is `P_oracle`, the next tier's accuracy.
 * - `{ preset }`: a threshold calibrated with the router and stored in its file (`economy`, `balanced`,
 *   `baseline-match`).
 */
export type DecisionPolicy =
  | { readonly threshold: number }
  | { readonly costBarrier: number; readonly oracleAccuracy: number }
  | { readonly preset: string };

/** zod schema of {@link DecisionPolicy}. */
export const decisionPolicySchema = z.union([
  z.object({ threshold: z.number().min(0).max(1) }).strict(),
  z
    .object({
      costBarrier: z.number().min(0),
      oracleAccuracy: z.number().min(0).max(1),
    })
    .strict(),
  z.object({ preset: z.string().min(1) }).strict(),
]);

/** What a policy reads of a router (any `Router`): the threshold presets calibrated with it, if it stores any. */
export type PresetSource = object & { readonly presets?: Readonly<Record<string, number>> };

/** The default policy: escalate when the router thinks the answer is more likely wrong than right. */
export const DEFAULT_POLICY: DecisionPolicy = { threshold: 0.5 };

/**
 * The escalation threshold of a policy: Equation 5's right-hand side `C_esc/U_correct + (1 - P_oracle)`,
 * a plain threshold, or a router preset.
 */
export function resolveThreshold(policy: DecisionPolicy, router: PresetSource | undefined, field = "policy"): number {
  if ("threshold" in policy) return policy.threshold;
  if ("costBarrier" in policy) return policy.costBarrier + (1 - policy.oracleAccuracy);
  const presets = router?.presets ?? {};
  const value = presets[policy.preset];
  if (value === undefined) {
    const known = Object.keys(presets);
    throw new PyramidConfigError(`unknown preset "${policy.preset}"`, {
      field: `${field}.preset`,
      fix: known.length
        ? `use one of ${known.map((name) => `"${name}"`).join(", ")}`
        : "load a trained router file that stores presets (pyramid-moa train), or give { threshold } instead",
    });
  }
  return value;
}

/** Equation 5's decision: escalate iff `pFail > threshold` (strictly). */
export function shouldEscalate(pFail: number, threshold: number): boolean {
  return pFail > threshold;
}
