import { BudgetTracker } from "../cost/budget.js";
import type { Budget } from "../cost/budget_api.js";
import type { PyramidConfig } from "../config/schema.js";
import { budgetRedisUrl, budgetStoreOptions } from "../config/budget.js";
import { PyramidConfigError } from "../errors/index.js";
import { InProcessRateLimiter } from "../limits/rate_limiter.js";
import type { RateLimiter } from "../limits/rate_limiter.js";
import { RedisBudget } from "../redis/budget.js";
import { connectRedis } from "../redis/connection.js";
import type { RedisConnection } from "../redis/connection.js";
import { RedisRateLimiter } from "../redis/rate_limit.js";
import type { ServerTenant } from "./tenants.js";
import { registerConfigSecrets } from "../config/secrets.js";

/** The tenants of a config with their keys, budgets and the rate limiter they share. */
export interface ServingLimits {
  readonly tenants: ServerTenant[];
  readonly rateLimiter: RateLimiter;
  /** `budget.failOpen`: admit requests when the budget store cannot be reached (default false: 503). */
  readonly budgetFailOpen: boolean;
  /** Closes the Redis connection opened here (none when the pyramid's budget connection was reused). */
  close(): Promise<void>;
}

/**
 * The config's `tenants` for `createPyramidServer`: each key read from its environment variable, each `budgetUsd`
 * a budget of the config's `budget.window`; with `budget.redis`, budgets and rate limits live in that Redis (on the
 * pyramid budget's connection), so every process and machine using it enforces them together.
 *
 * @throws PyramidConfigError naming `tenants[i].keyEnv` when a key variable is unset, empty or shared.
 */
export async function tenantsFromConfig(
  config: Pick<PyramidConfig, "tenants" | "budget">,
  pyramidBudget?: Budget,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ServingLimits> {
  const keys = new Map<string, string>();
  registerConfigSecrets(config, env);
  (config.tenants ?? []).forEach((tenant, i) => {
    const key = env[tenant.keyEnv];
    const field = `tenants[${i}].keyEnv`;
    if (!key) {
      throw new PyramidConfigError(`the environment variable ${tenant.keyEnv} is not set or empty`, {
        field,
        fix: `export ${tenant.keyEnv}=<a long random key for tenant "${tenant.name}"> before starting the server`,
      });
    }
    const other = keys.get(key);
    if (other)
      throw new PyramidConfigError(`tenants "${other}" and "${tenant.name}" have the same key`, {
        field,
        fix: "give every tenant its own key",
      });
    keys.set(key, tenant.name);
  });
  const url = budgetRedisUrl(config.budget, env);
  let redis: RedisConnection | undefined;
  let own = false;
  if (url && (config.tenants ?? []).length > 0) {
    if (pyramidBudget instanceof RedisBudget) redis = pyramidBudget.redis;
    else {
      redis = await connectRedis(url, { field: config.budget?.redisEnv ? "budget.redisEnv" : "budget.redis" });
      own = true;
    }
  }
  const window = config.budget?.window ?? "total";
  const ttl = budgetStoreOptions(config.budget);
  const tenants: ServerTenant[] = (config.tenants ?? []).map((tenant) => {
    let budget: Budget | undefined;
    if (tenant.budgetUsd !== undefined) {
      budget = redis
        ? new RedisBudget(redis, { name: `tenant.${tenant.name}`, limitUsd: tenant.budgetUsd, window }, ttl)
        : new BudgetTracker(tenant.budgetUsd, window);
    }
    return {
      name: tenant.name,
      key: env[tenant.keyEnv] as string,
      ...(budget ? { budget } : {}),
      ...(tenant.requestsPerMinute ? { requestsPerMinute: tenant.requestsPerMinute } : {}),
      ...(tenant.tokensPerMinute ? { tokensPerMinute: tenant.tokensPerMinute } : {}),
      ...(tenant.feedbackPerMinute ? { feedbackPerMinute: tenant.feedbackPerMinute } : {}),
    };
  });
  return {
    tenants,
    rateLimiter: redis ? new RedisRateLimiter(redis) : new InProcessRateLimiter(),
    budgetFailOpen: config.budget?.failOpen ?? false,
    async close() {
      if (own) await redis?.quit();
    },
  };
}
