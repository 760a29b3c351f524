import { featureRecord } from "../../features/types.js";
import { BudgetExceededError } from "../../errors/index.js";
import { decideEscalation } from "../../policy/escalation.js";
import type { PyramidSpec } from "../spec.js";
import type { PyramidStateType, PyramidUpdate } from "../state.js";
import { estimateTierCost } from "../../members/estimate.js";

/**
 * The `router` node after tier `tier`: `P_fail` from the tier's router, then the pure decision
 * ({@link decideEscalation}: Equation 5 or the look-ahead, every member failed, the per-query cost cap, the
 * shared budget), recorded in `decisions` for the conditional edge to read. When a guard refuses and
 * `onBudgetExceeded` is `throw`, the node throws {@link BudgetExceededError} instead of keeping this tier's answer.
 */
export function makeRouterNode(spec: PyramidSpec, tier: number) {
  const tierSpec = spec.tiers[tier];
  return (state: PyramidStateType): PyramidUpdate => {
    const run = state.tiers[tier];
    const features = state.featureVector;
    if (!features) throw new Error("router node ran before the features node");
    const answered = run.candidates.some((candidate) => candidate.error === undefined && candidate.invalid === undefined);
    const nextTierCostUsd = estimateTierCost(spec.tiers[tier + 1].members, state.messages, run.candidates);
    const decision = decideEscalation({
      pFail: answered ? tierSpec.router.predict(features) : 1,
      answered,
      threshold: tierSpec.threshold,
      lookahead: spec.lookahead
        ? { utility: spec.lookahead.utility, remaining: spec.lookahead.tiers.slice(tier), rule: spec.lookahead.rule }
        : undefined,
      nextTierCostUsd,
      spentUsd: state.tiers.reduce((sum, done) => sum + done.costUsd, 0),
      maxCostPerQuery: spec.maxCostPerQuery,
      budget: spec.budget ? { spentUsd: spec.budget.spent, limitUsd: spec.budget.limitUsd } : undefined,
    });
    if (decision.refusedBy && spec.onBudgetExceeded === "throw") {
      throw new BudgetExceededError(`escalation after tier "${tierSpec.name}" refused: ${decision.reason}`, {
        field: decision.refusedBy,
        fix: `raise ${decision.refusedBy}, or set onBudgetExceeded: "answer" to keep the lower tier's answer`,
      });
    }
    // Reserve the next tier's estimate now (check and record in one synchronous step), so that concurrent
    // queries see it; the next tier's node settles the reservation against what it actually cost.
    const reservedUsd = decision.escalate && spec.budget ? nextTierCostUsd : 0;
    if (reservedUsd > 0) spec.budget?.record(reservedUsd);
    return {
      reservedUsd,
      decisions: [
        {
          tier,
          tierName: tierSpec.name,
          answer: run.vote.key,
          features: featureRecord(features),
          pFail: decision.pFail,
          threshold: tierSpec.threshold,
          escalated: decision.escalate,
          ...(decision.reason ? { reason: decision.reason } : {}),
          ...(decision.lookahead ? { lookahead: decision.lookahead } : {}),
        },
      ],
    };
  };
}
