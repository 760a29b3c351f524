import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Redis } from "ioredis";
import { BudgetTracker, combineBudgets, PyramidChatModel, PyramidConfigError } from "../../src/index.js";
import { RedisBudget } from "../../src/redis/index.js";
import {
  budgetFromConfig,
  disposeConfigBudgets,
  GLOBAL_BUDGET_ACCOUNT,
  pyramidFromConfig,
  validatePyramidConfig,
} from "../../src/config/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { FaultyChatModel } from "../reliability/fault_model.js";
import { startRedisServer } from "../helpers/redis_server.js";
import type { RedisTestServer } from "../helpers/redis_server.js";

let redis: RedisTestServer;
const opened: RedisBudget[] = [];
let raw: Redis;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
}, 30_000);

afterAll(async () => {
  await Promise.all(opened.map((budget) => budget.close()));
  await raw?.quit();
  await redis?.stop();
});

let names = 0;
async function budget(
  limitUsd: number,
  options: { name?: string; window?: "day" | "month" | "total"; reservationTtlMs?: number } = {},
) {
  const b = await RedisBudget.connect(
    redis.url,
    { name: options.name ?? `acct${++names}`, limitUsd, window: options.window },
    options.reservationTtlMs ? { reservationTtlMs: options.reservationTtlMs } : {},
  );
  opened.push(b);
  return b;
}

describe("RedisBudget", () => {
  it("reserves while the limit allows, settles with the real cost and charges without a reservation", async () => {
    const b = await budget(1);
    const first = await b.reserve(0.4);
    expect(first.ok).toBe(true);
    expect(first.remainingUsd).toBeCloseTo(0.6, 9);
    const second = await b.reserve(0.4);
    expect(second.ok).toBe(true);
    const third = await b.reserve(0.4);
    expect(third).toEqual({ ok: false, remainingUsd: expect.closeTo(0.2, 9) });
    if (!first.ok || !second.ok) throw new Error("unreachable");
    await b.settle(first.reservation, 0.1);
    await b.settle(second.reservation, 0.3);
    expect(await b.remainingUsd()).toBeCloseTo(0.6, 9);
    await b.charge(0.25);
    expect(await b.remainingUsd()).toBeCloseTo(0.35, 9);
  });

  it("never lets concurrent reservations from separate connections exceed the limit", async () => {
    const name = `shared${++names}`;
    const clients = await Promise.all([budget(0.05, { name }), budget(0.05, { name }), budget(0.05, { name })]);
    const results = await Promise.all(Array.from({ length: 60 }, (_, i) => clients[i % 3].reserve(0.011)));
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(await clients[0].remainingUsd()).toBeCloseTo(0.05 - 4 * 0.011, 9);
  });

  it("drops a reservation that was never settled once its TTL is up (a process that died mid-call)", async () => {
    const b = await budget(1, { reservationTtlMs: 300 });
    expect((await b.reserve(0.9)).ok).toBe(true);
    expect((await b.reserve(0.9)).ok).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await b.remainingUsd()).toBeCloseTo(1, 9);
    const keys = await raw.keys(`{pyramid-moa}:budget:${b.accounts[0].name}:*`);
    for (const key of keys.filter((k) => k.endsWith(":resv") || k.endsWith(":amt"))) {
      expect(await raw.call("EXISTS", key)).toBe(0);
    }
    expect((await b.reserve(0.9)).ok).toBe(true);
  });

  it("keeps day and month windows apart, and the window's keys expire after it ends", async () => {
    const day = await budget(1, { name: "windowed", window: "day" });
    const total = await budget(1, { name: "windowed", window: "total" });
    await day.charge(0.7);
    expect(await day.remainingUsd()).toBeCloseTo(0.3, 9);
    expect(await total.remainingUsd()).toBeCloseTo(1, 9);
    await total.charge(0.1);
    expect(await day.remainingUsd()).toBeCloseTo(0.3, 9);
    const today = new Date().toISOString().slice(0, 10);
    const ttl = await raw.ttl(`{pyramid-moa}:budget:windowed:d${today}:spent`);
    expect(ttl).toBeGreaterThan(86_400);
    expect(ttl).toBeLessThanOrEqual(2 * 86_400);
    expect(await raw.ttl("{pyramid-moa}:budget:windowed:total:spent")).toBe(-1);
  });

  it("checks several accounts in one script: a refusal by one reserves nothing in the others", async () => {
    const global = await budget(1, { name: `global${++names}` });
    const tenant = await budget(0.1, { name: `tenant${names}` });
    const both = global.and(tenant);
    expect((await both.reserve(0.08)).ok).toBe(true);
    expect(await both.reserve(0.05)).toEqual({ ok: false, remainingUsd: expect.closeTo(0.02, 9) });
    expect(await global.remainingUsd()).toBeCloseTo(0.92, 9);
    await both.charge(0.01);
    expect(await tenant.remainingUsd()).toBeCloseTo(0.01, 9);
    expect(await global.remainingUsd()).toBeCloseTo(0.91, 9);
  });

  it("names the field and the fix for a bad URL or account", async () => {
    await expect(RedisBudget.connect("http://localhost:6379", { name: "x", limitUsd: 1 })).rejects.toThrow(
      PyramidConfigError,
    );
    await expect(RedisBudget.connect("http://localhost:6379", { name: "x", limitUsd: 1 })).rejects.toThrow(
      /budget\.redis: .*Fix: give e\.g\. redis:\/\//,
    );
    await expect(RedisBudget.connect(redis.url, { name: "has space", limitUsd: 1 })).rejects.toThrow(
      /RedisBudget\.accounts\.0\.name/,
    );
  });
});

describe("combineBudgets", () => {
  it("releases the earlier reservations when a later budget refuses", async () => {
    const global = new BudgetTracker(1);
    const tenant = new BudgetTracker(0.1);
    const both = combineBudgets([global, tenant]);
    const held = await both.reserve(0.08);
    expect(held.ok).toBe(true);
    expect((await both.reserve(0.05)).ok).toBe(false);
    expect(global.spent).toBeCloseTo(0.08, 12);
    if (held.ok) await both.settle(held.reservation, 0.05);
    expect(global.spent).toBeCloseTo(0.05, 12);
    expect(tenant.spent).toBeCloseTo(0.05, 12);
  });
});

describe("a pyramid on a RedisBudget", () => {
  const TOKENS = { input: 1000, output: 100 };
  const member = (name: string, answer: string) =>
    new FaultyChatModel({ name, tokens: TOKENS, plan: () => ({ kind: "answer", text: answer, delayMs: 5 }) });
  const free = { input: 0, output: 0 };
  const PRICES = { "small-0": free, "small-1": free, "small-2": free, big: { input: 10, output: 10 } };

  it("two pyramids on separate connections escalate concurrently and spend no more than the limit together", async () => {
    const name = `pyr${++names}`;
    const [a, b] = await Promise.all([budget(0.05, { name }), budget(0.05, { name })]);
    const make = (shared: RedisBudget) =>
      new PyramidChatModel({
        crowd: ["1", "2", "3"].map((answer, i) => member(`small-${i}`, answer)),
        oracle: member("big", "4"),
        prices: PRICES,
        task: "math",
        budget: shared,
      });
    const [first, second] = [make(a), make(b)];
    const results = (
      await Promise.all([
        first.batch(Array.from({ length: 8 }, (_, i) => `a${i}`)),
        second.batch(Array.from({ length: 8 }, (_, i) => `b${i}`)),
      ])
    )
      .flat()
      .map((message) => message.response_metadata.pyramid as PyramidMetadata);
    const apexSpend = results.reduce((sum, r) => sum + (r.cost.byTier.oracle ?? 0), 0);
    expect(results.filter((r) => r.escalated)).toHaveLength(4);
    expect(apexSpend).toBeLessThanOrEqual(0.05);
    expect(await a.remainingUsd()).toBeCloseTo(0.05 - apexSpend, 9);
    for (const r of results.filter((r) => !r.escalated)) expect(r.decisions[0].reason).toMatch(/^budget exhausted: /);
  });
});

describe("config budget.redisEnv: the Redis URL from an environment variable", () => {
  const config = (budget: Record<string, unknown>) => ({
    tiers: [
      { name: "crowd", members: [{ provider: "openai", model: "a", baseURL: "http://127.0.0.1:9/v1" }] },
      { name: "oracle", members: [{ provider: "openai", model: "b", baseURL: "http://127.0.0.1:9/v1" }] },
    ],
    budget,
  });

  it("shares the budget of every process that reads the same URL from the variable", async () => {
    const account = await budgetFromConfig(
      { limitUsd: 1, redisEnv: "PYRAMID_TEST_REDIS" },
      { PYRAMID_TEST_REDIS: redis.url },
    );
    expect(account).toBeInstanceOf(RedisBudget);
    const direct = await RedisBudget.connect(redis.url, { name: GLOBAL_BUDGET_ACCOUNT, limitUsd: 1 });
    opened.push(direct);
    await direct.charge(0.25);
    expect(await account.remainingUsd()).toBeCloseTo((await direct.remainingUsd()) as number, 9);
    process.env.PYRAMID_TEST_REDIS = redis.url;
    try {
      const pyramid = await pyramidFromConfig(config({ limitUsd: 1, redisEnv: "PYRAMID_TEST_REDIS" }) as never);
      expect(pyramid.spec.budget).toBeInstanceOf(RedisBudget);
      expect(await pyramid.spec.budget?.remainingUsd()).toBeCloseTo((await direct.remainingUsd()) as number, 9);
    } finally {
      delete process.env.PYRAMID_TEST_REDIS;
      await disposeConfigBudgets();
    }
  });

  it("names budget.redisEnv and never shows the variable's value", async () => {
    await expect(budgetFromConfig({ limitUsd: 1, redisEnv: "PYRAMID_UNSET_VAR" }, {})).rejects.toThrow(
      /budget\.redisEnv: the environment variable PYRAMID_UNSET_VAR is not set.*Fix: export PYRAMID_UNSET_VAR=redis:/,
    );
    const error = await budgetFromConfig(
      { limitUsd: 1, redisEnv: "PYRAMID_BAD_URL" },
      { PYRAMID_BAD_URL: "http://user:s3cret-pw@host:6379" },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect((error as PyramidConfigError).field).toBe("budget.redisEnv");
    expect(String((error as Error).message)).not.toContain("s3cret-pw");
    expect(() => validatePyramidConfig(config({ limitUsd: 1, redis: redis.url, redisEnv: "X" }))).toThrow(
      /budget\.redisEnv: give either redis \(the URL\) or redisEnv/,
    );
    expect(() => validatePyramidConfig(config({ limitUsd: 1, redisEnv: "redis://h:6379" }))).toThrow(
      /budget\.redisEnv: must be the NAME of an environment variable/,
    );
  });
});
