import type { Budget, BudgetReservation } from "./budget_api.js";

/**
 * Records what a tier cost in `budget`: settles the reservation the router made for it, or charges the cost when
 * there was none (the crowd). A budget store that fails here does not fail the query (its answer is paid for):
 * the error goes to `onError` (default: the process's stderr) and the reservation expires on its own.
 */
export async function settleTierCost(
  budget: Budget | undefined,
  reservation: BudgetReservation | undefined,
  costUsd: number,
  onError: (error: unknown) => void = (error) =>
    console.error(
      `pyramid-moa: could not record ${costUsd} USD in the budget: ${error instanceof Error ? error.message : String(error)}`,
    ),
): Promise<void> {
  if (!budget) return;
  try {
    if (reservation) await budget.settle(reservation, costUsd);
    else if (costUsd !== 0) await budget.charge(costUsd);
  } catch (error) {
    onError(error);
  }
}
