import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { featureRecord } from "../features/types.js";
import type { BudgetReservation } from "../cost/budget_api.js";
import { runBudget } from "../graphs/run_config.js";
import { reservationTtlMs } from "./reservation_ttl.js";
import { shouldEscalate } from "../policy/decision.js";
import type { PyramidSpec } from "../graphs/spec.js";
import type { PyramidStateType, PyramidUpdate } from "../graphs/state.js";
import { estimateTierCost } from "../cost/estimate.js";
import { lookaheadDecision } from "../policy/lookahead.js";

/**
 * The `router` node after tier `tier`: `P_fail` from the tier's router, and Equation 5's decision against
 * the tier's threshold. Forced decisions carry a `reason`: every member failed (escalate), or the per-query
 * cost limit or the shared budget would be exceeded by the next tier (stop).
 */
export function makeRouterNode(spec: PyramidSpec, tier: number) {
  const tierSpec = spec.tiers[tier];
  return async (state: PyramidStateType, config?: LangGraphRunnableConfig): Promise<PyramidUpdate> => {
    const budget = runBudget(spec, config);
    const run = state.tiers[tier];
    const features = state.featureVector;
    if (!features) throw new Error("router node ran before the features node");
    const answered = run.candidates.some((candidate) => candidate.error === undefined);
    let pFail = answered ? tierSpec.router.predict(features) : 1;
    if (!Number.isFinite(pFail)) pFail = 1;
    const lookahead = spec.lookahead
      ? lookaheadDecision(
          { pFail, remaining: spec.lookahead.tiers.slice(tier), utility: spec.lookahead.utility },
          spec.lookahead.rule ?? "optimal",
        )
      : undefined;
    let escalated = lookahead ? lookahead.escalate : shouldEscalate(pFail, tierSpec.threshold);
    let reason: string | undefined = answered ? undefined : "every member of this tier failed";
    if (!answered) escalated = true;
    let next = 0;
    let reservation: BudgetReservation | undefined;
    if (escalated) {
      next = estimateTierCost(spec.tiers[tier + 1].members, state.messages, run.candidates);
      const spent = state.tiers.reduce((sum, done) => sum + done.costUsd, 0);
      if (spec.maxCostPerQuery !== undefined && spent + next > spec.maxCostPerQuery) {
        escalated = false;
        reason = `maxCostPerQuery: spent ${spent.toFixed(6)} USD, next tier ~${next.toFixed(6)} USD, limit ${spec.maxCostPerQuery} USD`;
      } else if (budget) {
        // Reserve the next tier's estimate now (check and hold in one atomic step), so that concurrent queries,
        // in this process or others sharing the budget, see it; the next tier's node settles it with the real cost.
        const held = await budget
          .reserve(next, { ttlMs: reservationTtlMs(spec.tiers[tier + 1].members) })
          .catch((error: unknown) => ({ ok: false as const, remainingUsd: Number.NaN, error }));
        if (held.ok) reservation = held.reservation;
        else {
          escalated = false;
          reason =
            "error" in held
              ? `budget unavailable (not escalating): ${held.error instanceof Error ? held.error.message : String(held.error)}`
              : `budget exhausted: ${Math.max(0, held.remainingUsd).toFixed(6)} USD left, next tier ~${next.toFixed(6)} USD`;
        }
      }
    }
    return {
      reservedUsd: reservation?.usd ?? 0,
      reservation,
      decisions: [
        {
          tier,
          tierName: tierSpec.name,
          answer: run.vote.key,
          features: featureRecord(features),
          pFail,
          threshold: tierSpec.threshold,
          escalated,
          ...(reason ? { reason } : {}),
          ...(lookahead
            ? { lookahead: { rule: lookahead.rule, valueStop: lookahead.valueStop, valueContinue: lookahead.valueContinue } }
            : {}),
        },
      ],
    };
  };
}
