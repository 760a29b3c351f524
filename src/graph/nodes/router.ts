import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { featureRecord } from "../../features/types.js";
import type { Ledger, LedgerHoldResult } from "../../ledger/ledger.js";
import type { EscalationDecision, EscalationInput } from "../../policy/escalation.js";
import { runSettings } from "../run_config.js";
import { runLedger } from "../ledger.js";
import { reservationTtlMs } from "../../members/reservation_ttl.js";
import { BudgetExceededError } from "../../errors/index.js";
import { decideEscalation } from "../../policy/escalation.js";
import type { PyramidSpec } from "../spec.js";
import type { PyramidStateType, PyramidUpdate } from "../state.js";
import { estimateTierCost, worstCaseTierCost } from "../../members/estimate.js";

/**
 * The `router` node after tier `tier`: `P_fail` from the tier's router, then the pure decision
 * ({@link decideEscalation}: Equation 5 or the look-ahead, every member failed, the per-query cost cap, the
 * shared budget), recorded in `decisions` for the conditional edge to read. When a guard refuses and
 * `onBudgetExceeded` is `throw`, the node throws {@link BudgetExceededError} instead of keeping this tier's answer.
 */
export function makeRouterNode(spec: PyramidSpec, tier: number) {
  const tierSpec = spec.tiers[tier];
  return async (state: PyramidStateType, config?: LangGraphRunnableConfig): Promise<PyramidUpdate> => {
    const run = state.tiers[tier];
    const features = state.featureVector;
    if (!features) throw new Error("router node ran before the features node");
    const answered = run.candidates.some(
      (candidate) => candidate.error === undefined && candidate.invalid === undefined,
    );
    const nextTierCostUsd = estimateTierCost(spec.tiers[tier + 1].members, state.messages, run.candidates);
    const input: EscalationInput = {
      pFail: answered ? tierSpec.router.predict(features) : 1,
      answered,
      threshold: tierSpec.threshold,
      lookahead: spec.lookahead
        ? { utility: spec.lookahead.utility, remaining: spec.lookahead.tiers.slice(tier), rule: spec.lookahead.rule }
        : undefined,
      nextTierCostUsd,
      spentUsd: state.tiers.reduce((sum, done) => sum + done.costUsd, 0),
      maxCostPerQuery: spec.maxCostPerQuery,
    };
    // The budget guard needs the budget's state, which the ledger's atomic reservation itself reads and updates.
    // The decision weighs the expected cost; the ledger holds the worst case (every member writing its longest answer).
    const worstUsd = worstCaseTierCost(
      spec.tiers[tier + 1].members,
      state.messages,
      state.tiers.flatMap((done) => done.candidates),
      spec.mode === "generative",
    );
    const decision = await reserveEscalation(
      runLedger(spec, state, config),
      tier + 1,
      Math.max(worstUsd, nextTierCostUsd),
      input,
      pastDeadline(run, runSettings(config).deadlineAt, decideEscalation(input)),
      reservationTtlMs(spec.tiers[tier + 1].members),
    );
    if (decision.refusedBy && spec.onBudgetExceeded === "throw") {
      throw new BudgetExceededError(`escalation after tier "${tierSpec.name}" refused: ${decision.reason}`, {
        field: decision.refusedBy,
        fix: `raise ${decision.refusedBy}, or set onBudgetExceeded: "answer" to keep the lower tier's answer`,
      });
    }
    // The next tier, started speculatively at this tier's first disagreement: adopted by the next node when escalating,
    // else cancelled and charged as far as its calls went.
    const speculation = state.speculation?.tier === tier + 1 ? state.speculation : undefined;
    const speculated = decision.escalate ? speculation?.adoptionRecord() : speculation?.cancel();
    if (speculated && speculated.outcome === "cancelled") {
      await runLedger(spec, state, config).settle(tier + 1, speculated.costUsd);
    }
    return {
      ...(speculated ? { speculations: [speculated] } : {}),
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

/**
 * When the decision without the budget escalates, reserves the next tier's estimate through the query's `ledger`
 * (check and hold in one atomic step, so that concurrent queries, in this process or in others sharing the budget,
 * see it; the next tier settles it with its real cost). A refusal is turned into the budget guard's decision by
 * {@link decideEscalation} itself, fed the state the budget refused with; an unreachable budget store refuses too.
 */
async function reserveEscalation(
  ledger: Ledger,
  nextTier: number,
  holdUsd: number,
  input: EscalationInput,
  unbudgeted: EscalationDecision,
  ttlMs: number | undefined,
): Promise<EscalationDecision> {
  if (!unbudgeted.escalate) return unbudgeted;
  let held: LedgerHoldResult;
  try {
    held = await ledger.reserve(nextTier, holdUsd, ttlMs !== undefined ? { ttlMs } : {});
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return {
      ...unbudgeted,
      escalate: false,
      refusedBy: "budget",
      reason: `budget unavailable (not escalating): ${why}`,
    };
  }
  if (held.ok) return unbudgeted;
  const decision = decideEscalation({
    ...input,
    budget: { spentUsd: held.limitUsd - held.remainingUsd, limitUsd: held.limitUsd },
  });
  if (!decision.escalate) return decision;
  // Rounding to the store's unit refused what the guard would let through: the store's refusal stands.
  const left = Math.max(0, held.remainingUsd).toFixed(6);
  return {
    ...decision,
    escalate: false,
    refusedBy: "budget",
    reason: `budget exhausted: ${left} USD left, next tier up to ${holdUsd.toFixed(6)} USD`,
  };
}

/**
 * The decision when the query's deadline has passed (or cut members of this tier): never escalate, keep this tier's
 * answer (the majority of the answers in hand), with the reason recorded.
 */
function pastDeadline(
  run: PyramidStateType["tiers"][number],
  deadlineAt: number | undefined,
  decision: EscalationDecision,
): EscalationDecision {
  if (deadlineAt === undefined || !decision.escalate) return decision;
  const cut = run.candidates.some((candidate) => candidate.schedule?.status === "deadline");
  if (!cut && Date.now() < deadlineAt) return decision;
  return { ...decision, escalate: false, reason: "deadline: the query's deadlineMs passed, this tier's answer stands" };
}
