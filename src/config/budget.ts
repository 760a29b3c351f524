import { BudgetTracker } from "../cost/budget.js";
import type { Budget } from "../cost/budget_api.js";
import { RedisBudget } from "../redis/budget.js";
import type { BudgetConfig } from "./serving_schema.js";

/** Name of the pyramid-wide budget account in Redis (tenants' accounts are named after the tenants). */
export const GLOBAL_BUDGET_ACCOUNT = "global";

const opened = new Set<RedisBudget>();

/**
 * The budget of a config's `budget` section: a `RedisBudget` (account `global`) when it gives a `redis` URL, shared by
 * every process on that Redis, otherwise a `BudgetTracker` of this process. Close the Redis connections with
 * {@link disposeConfigBudgets} when done.
 */
export async function budgetFromConfig(config: BudgetConfig): Promise<Budget> {
  if (!config.redis) return new BudgetTracker(config.limitUsd, config.window ?? "total");
  const budget = await RedisBudget.connect(
    config.redis,
    { name: GLOBAL_BUDGET_ACCOUNT, limitUsd: config.limitUsd, window: config.window ?? "total" },
    config.reservationTtlMs ? { reservationTtlMs: config.reservationTtlMs } : {},
  );
  opened.add(budget);
  return budget;
}

/** Closes the Redis connections of every budget {@link budgetFromConfig} opened (so the process can exit). */
export async function disposeConfigBudgets(): Promise<void> {
  const budgets = [...opened];
  opened.clear();
  await Promise.allSettled(budgets.map((budget) => budget.close()));
}
