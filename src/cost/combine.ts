import type { Budget, BudgetReservation, BudgetReserveOptions, BudgetReserveResult } from "./budget_api.js";

interface CombinedReservation extends BudgetReservation {
  readonly parts: readonly BudgetReservation[];
}

/**
 * A budget that spends from every one of `budgets` (e.g. a tenant's and the global one): a reservation is made in
 * each in turn and released from the earlier ones if a later one refuses, so none of them is ever overspent; the
 * first budget's limit and window are reported. Budgets of one Redis connection are better combined with
 * `RedisBudget.and`, which checks them all in one atomic script.
 */
export function combineBudgets(budgets: readonly Budget[]): Budget {
  if (budgets.length === 1) return budgets[0];
  const [first] = budgets;
  return {
    limitUsd: first.limitUsd,
    window: first.window,
    async reserve(usd: number, options?: BudgetReserveOptions): Promise<BudgetReserveResult> {
      const parts: BudgetReservation[] = [];
      let least = Number.POSITIVE_INFINITY;
      for (const [i, budget] of budgets.entries()) {
        const result = await budget.reserve(usd, options);
        least = Math.min(least, result.remainingUsd);
        if (!result.ok) {
          await Promise.all(parts.map((part, j) => budgets[j].settle(part, 0)));
          return { ok: false, remainingUsd: least };
        }
        parts[i] = result.reservation;
      }
      const reservation: CombinedReservation = { id: parts.map((part) => part.id).join("+"), usd, parts };
      return { ok: true, reservation, remainingUsd: least };
    },
    async settle(reservation: BudgetReservation, actualUsd: number): Promise<void> {
      const parts = (reservation as Partial<CombinedReservation>).parts;
      await Promise.all(
        budgets.map((budget, i) => (parts?.[i] ? budget.settle(parts[i], actualUsd) : budget.charge(actualUsd))),
      );
    },
    async charge(usd: number): Promise<void> {
      await Promise.all(budgets.map((budget) => budget.charge(usd)));
    },
    async remainingUsd(): Promise<number> {
      return Math.min(...(await Promise.all(budgets.map((budget) => budget.remainingUsd()))));
    },
  };
}
