/**
 * `pyramid-moa/redis`: one budget and one set of rate limits shared by every process and machine that uses the same
 * Redis (ioredis, an optional peer, loaded only when a connection is made). The in-process `BudgetTracker` and
 * `InProcessRateLimiter` stay the defaults.
 */
export { RedisBudget, DEFAULT_RESERVATION_TTL_MS } from "./budget.js";
export type { RedisBudgetAccount, RedisBudgetOptions } from "./budget.js";
export { connectRedis, checkRedisUrl } from "./connection.js";
export type { RedisConnection, ConnectRedisOptions } from "./connection.js";
export { RedisRateLimiter } from "./rate_limit.js";
export { InProcessRateLimiter, RATE_PERIOD_MS } from "../limits/rate_limiter.js";
export type { RateLimiter, RateLimits, RateDecision } from "../limits/rate_limiter.js";
export type { BudgetReserveResult, BudgetReserveOptions } from "../cost/budget_api.js";
export { BUDGET_WINDOWS, isBudget, budgetResetsInMs } from "../cost/budget_api.js";
export { RedisFeedbackClaims, DEFAULT_FEEDBACK_CLAIM_TTL_MS } from "./feedback_claims.js";
export type { FeedbackClaims } from "./feedback_claims.js";
