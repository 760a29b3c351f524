import { BudgetTracker } from "../cost/budget.js";
import type { Budget } from "../cost/budget_api.js";
import { RedisBudget } from "../redis/budget.js";
import { PyramidConfigError } from "../errors/index.js";
import { redisUrlSchema } from "./serving_schema.js";
import type { BudgetConfig } from "./serving_schema.js";

/** Name of the pyramid-wide budget account in Redis (tenants' accounts are named after the tenants). */
export const GLOBAL_BUDGET_ACCOUNT = "global";

const opened = new Set<RedisBudget>();

/**
 * The Redis URL of a config's `budget`: `redis`, or the value of the environment variable `redisEnv` names (checked
 * to be a redis:// URL; errors never show the value, which may hold a password). `undefined` without either.
 *
 * @throws PyramidConfigError naming `budget.redisEnv` when the variable is unset or does not hold a Redis URL.
 */
export function budgetRedisUrl(
  config: BudgetConfig | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string | undefined {
  if (config?.redis !== undefined || config?.redisEnv === undefined) return config?.redis;
  const name = config.redisEnv;
  const value = env[name];
  if (value === undefined || value === "") {
    throw new PyramidConfigError(`the environment variable ${name} is not set`, {
      field: "budget.redisEnv",
      fix: `export ${name}=redis://[:password@]host:6379/0 before starting, or remove budget.redisEnv for a budget of this process only`,
    });
  }
  if (!redisUrlSchema.safeParse(value).success) {
    throw new PyramidConfigError(`the environment variable ${name} does not hold a redis:// or rediss:// URL`, {
      field: "budget.redisEnv",
      fix: `set ${name} to a URL such as redis://127.0.0.1:6379/0`,
    });
  }
  return value;
}

/**
 * The budget of a config's `budget` section: a `RedisBudget` (account `global`) when it gives a `redis` URL (or `redisEnv`, the variable holding it), shared by
 * every process on that Redis, otherwise a `BudgetTracker` of this process. Close the Redis connections with
 * {@link disposeConfigBudgets} when done.
 */
export async function budgetFromConfig(
  config: BudgetConfig,
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<Budget> {
  const url = budgetRedisUrl(config, env);
  if (!url) return new BudgetTracker(config.limitUsd, config.window ?? "total");
  const budget = await RedisBudget.connect(
    url,
    { name: GLOBAL_BUDGET_ACCOUNT, limitUsd: config.limitUsd, window: config.window ?? "total" },
    budgetStoreOptions(config),
  );
  opened.add(budget);
  return budget;
}

/**
 * The Redis budget options of a config's `budget`: the reservation lifetime and the spend journal (one file per
 * process: a cluster worker appends `.w<id>` to the configured path).
 */
export function budgetStoreOptions(config: BudgetConfig | undefined): { reservationTtlMs?: number; journal?: string } {
  const worker = process.env.NODE_UNIQUE_ID;
  return {
    ...(config?.reservationTtlMs ? { reservationTtlMs: config.reservationTtlMs } : {}),
    ...(config?.journal ? { journal: worker ? `${config.journal}.w${worker}` : config.journal } : {}),
  };
}

/** Closes the Redis connections of every budget {@link budgetFromConfig} opened (so the process can exit). */
export async function disposeConfigBudgets(): Promise<void> {
  const budgets = [...opened];
  opened.clear();
  await Promise.allSettled(budgets.map((budget) => budget.close()));
}
