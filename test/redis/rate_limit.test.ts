import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectRedis, InProcessRateLimiter, RedisRateLimiter } from "../../src/redis/index.js";
import type { RateLimiter, RedisConnection } from "../../src/redis/index.js";
import { startRedisServer } from "../helpers/redis_server.js";
import type { RedisTestServer } from "../helpers/redis_server.js";

let redis: RedisTestServer;
const connections: RedisConnection[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  for (let i = 0; i < 2; i++) connections.push(await connectRedis(redis.url));
}, 30_000);

afterAll(async () => {
  await Promise.all(connections.map((c) => c.quit()));
  await redis?.stop();
});

const limiters: Array<[string, () => RateLimiter[]]> = [
  ["in process", () => [new InProcessRateLimiter()]],
  ["Redis, two connections sharing the buckets", () => connections.map((c) => new RedisRateLimiter(c))],
];

let tenants = 0;
describe.each(limiters)("rate limits (%s)", (_, make) => {
  it("admits requestsPerMinute at once, then refuses with the time until the next slot", async () => {
    const limiter = make();
    const limits = { name: `t${++tenants}`, requestsPerMinute: 3 };
    const decisions = [];
    for (let i = 0; i < 5; i++) decisions.push(await limiter[i % limiter.length].admit(limits));
    expect(decisions.map((d) => d.ok)).toEqual([true, true, true, false, false]);
    const refused = decisions[3];
    if (refused.ok) throw new Error("unreachable");
    expect(refused.limit).toBe("requests");
    expect(refused.retryAfterMs).toBeGreaterThan(15_000);
    expect(refused.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it("refuses once the tokens recorded put the tenant in debt, and says for how long", async () => {
    const limiter = make();
    const limits = { name: `t${++tenants}`, tokensPerMinute: 60, requestsPerMinute: 100 };
    expect((await limiter[0].admit(limits)).ok).toBe(true);
    await limiter[0].recordTokens(limits, 100);
    const decision = await limiter[limiter.length - 1].admit(limits);
    if (decision.ok) throw new Error("expected a refusal");
    expect(decision.limit).toBe("tokens");
    // 100 tokens at 1 token/s: the bucket (60) is 40 in debt, plus the one token of room needed: ~41 s.
    expect(decision.retryAfterMs).toBeGreaterThan(39_000);
    expect(decision.retryAfterMs).toBeLessThanOrEqual(41_000);
  });

  it("keeps tenants apart and leaves a tenant without limits alone", async () => {
    const limiter = make()[0];
    const a = { name: `t${++tenants}`, requestsPerMinute: 1 };
    const b = { name: `t${++tenants}`, requestsPerMinute: 1 };
    expect((await limiter.admit(a)).ok).toBe(true);
    expect((await limiter.admit(a)).ok).toBe(false);
    expect((await limiter.admit(b)).ok).toBe(true);
    for (let i = 0; i < 10; i++) expect((await limiter.admit({ name: `t${++tenants}` })).ok).toBe(true);
  });
});
