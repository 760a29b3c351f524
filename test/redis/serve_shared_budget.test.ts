import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import OpenAI from "openai";
import { RedisBudget } from "../../src/redis/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { startRedisServer } from "../helpers/redis_server.js";
import type { RedisTestServer } from "../helpers/redis_server.js";
import { killServeClis, startServeCli } from "../helpers/serve_cli.js";
import { parseMetrics, sampleValue } from "../helpers/metrics_text.js";

let dir: string;
let redis: RedisTestServer;
let upstream: OpenAITestServer;

/**
 * The crowd always splits ("The answer is 1/2/3."), so every query wants the Oracle; the Oracle answers with as
 * many words, so the router's estimate of its cost is exact (every member's maxTokens, 4, is what it writes: the holds
 * are exact too). A question containing "hang" keeps the Oracle busy.
 */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-redis-serve-"));
  redis = await startRedisServer();
  upstream = await startOpenAITestServer({
    models: Object.fromEntries(
      ["a", "b", "c"].map((model, i) => [model, () => ({ content: `The answer is ${i + 1}.`, delayMs: 10 })]),
    ),
    fallback: (body) => ({
      content: "The answer is 4.",
      delayMs: JSON.stringify(body.messages).includes("hang") ? 20_000 : 50,
    }),
  });
}, 60_000);

afterEach(killServeClis);

afterAll(async () => {
  await upstream?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A config whose Oracle costs 1000 USD per 1M tokens (the crowd is free unless priced), with a budget in Redis database `db`. */
function writeConfig(
  name: string,
  db: number,
  budget: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  crowdUsdPerMTok = 0,
): string {
  const baseURL = upstream.baseURL;
  const free = { input: crowdUsdPerMTok, output: crowdUsdPerMTok };
  const path = join(dir, `${name}.json`);
  writeFileSync(
    path,
    JSON.stringify({
      tiers: [
        {
          name: "crowd",
          members: ["a", "b", "c"].map((model) => ({ provider: "openai", model, baseURL, price: free, maxTokens: 4 })),
        },
        {
          name: "oracle",
          members: [
            {
              provider: "openai",
              model: "big-70b",
              baseURL,
              price: { input: 1000, output: 1000 },
              timeoutMs: 30_000,
              maxTokens: 4,
            },
          ],
        },
      ],
      task: "math",
      budget: { redis: `${redis.url}/${db}`, ...budget },
      ...extra,
    }),
  );
  return path;
}

function ask(url: string, question: string, key = "unused") {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey: key, maxRetries: 0 }).chat.completions.create({
    model: "pyramid-moa",
    messages: [{ role: "user", content: question }],
  });
}

const oracleCalls = () => upstream.chatRequests().filter((r) => r.body?.model === "big-70b");

describe("serve processes sharing one Redis budget", () => {
  it("never spend more on the Oracle together than the limit, under concurrent load", async () => {
    const config = writeConfig("shared", 1, { limitUsd: 0.05 });
    const servers = await Promise.all([
      startServeCli(["--config", config, "--port", "0"]),
      startServeCli(["--config", config, "--port", "0"]),
    ]);
    const before = oracleCalls().length;
    const answers = await Promise.all(
      Array.from({ length: 24 }, (_, i) =>
        ask(servers[i % 2].url, `What is ${i} + ${i}? Think about question number ${i}.`),
      ),
    );
    const pyramids = answers.map((a) => (a as unknown as { pyramid: PyramidMetadata }).pyramid);
    const apexSpend = pyramids.reduce((sum, p) => sum + (p.cost.byTier.oracle ?? 0), 0);
    const escalated = pyramids.filter((p) => p.escalated);
    const story = JSON.stringify(
      pyramids.map((p) => ({ escalated: p.escalated, reason: p.decisions[0].reason, cost: p.cost.byTier })),
    );
    expect(escalated.length, story).toBeGreaterThan(0);
    expect(escalated.length, story).toBeLessThan(24);
    expect(apexSpend, story).toBeLessThanOrEqual(0.05);
    // The Oracle was called exactly as often as the answers say, by both processes together.
    expect(oracleCalls().length - before, story).toBe(escalated.length);
    for (const p of pyramids.filter((p) => !p.escalated))
      expect(p.decisions[0].reason, story).toMatch(/^budget exhausted: /);
    // Each process answered some of the escalated queries from the one budget.
    const budget = await RedisBudget.connect(`${redis.url}/1`, { name: "global", limitUsd: 0.05 });
    try {
      expect(await budget.remainingUsd()).toBeCloseTo(0.05 - apexSpend, 9);
    } finally {
      await budget.close();
    }
    const scraped = parseMetrics(await (await fetch(`${servers[0].url}/metrics`)).text());
    expect(sampleValue(scraped, "pyramid_budget_remaining_usd", { budget: "global" })).toBeCloseTo(0.05 - apexSpend, 9);
  }, 120_000);

  it("leaves no reservation behind a process killed mid-request, once the reservation expires", async () => {
    const config = writeConfig("killed", 2, { limitUsd: 10, reservationTtlMs: 1500 });
    const serve = await startServeCli(["--config", config, "--port", "0"]);
    const before = oracleCalls().length;
    const pending = ask(serve.url, "What is 2 + 2? hang").catch((e: unknown) => e);
    while (oracleCalls().length === before) await new Promise((resolve) => setTimeout(resolve, 20));
    const raw = new Redis(`${redis.url}/2`);
    try {
      const [resv] = await raw.keys("{pyramid-moa}:budget:global:*:resv");
      expect(await raw.zcard(resv)).toBe(1);
      serve.child.kill("SIGKILL");
      await serve.exited;
      expect(await pending).toBeInstanceOf(OpenAI.APIConnectionError);
      const budget = await RedisBudget.connect(`${redis.url}/2`, { name: "global", limitUsd: 10 });
      try {
        const held = 10 - (await budget.remainingUsd());
        expect(held).toBeGreaterThan(0);
        await new Promise((resolve) => setTimeout(resolve, 1700));
        expect(await budget.remainingUsd()).toBeCloseTo(10, 9);
      } finally {
        await budget.close();
      }
      expect(await raw.exists(resv)).toBe(0);
    } finally {
      await raw.quit();
    }
  }, 60_000);

  it("enforces a tenant's budget and requests per minute across two processes", async () => {
    const config = writeConfig(
      "tenants",
      3,
      { limitUsd: 100, window: "day" },
      {
        tenants: [
          { name: "team-a", keyEnv: "PYRAMID_TEST_KEY_A", budgetUsd: 0.03 },
          { name: "team-b", keyEnv: "PYRAMID_TEST_KEY_B", requestsPerMinute: 3 },
        ],
      },
      100,
    );
    const env = { PYRAMID_TEST_KEY_A: "key-a", PYRAMID_TEST_KEY_B: "key-b" };
    const servers = await Promise.all([
      startServeCli(["--config", config, "--port", "0"], env),
      startServeCli(["--config", config, "--port", "0"], env),
    ]);
    const statuses = async (key: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          ask(servers[i % 2].url, `What is ${i} + 1? (${key} ${i})`, key).then(
            () => 200,
            (e: unknown) => (e as InstanceType<typeof OpenAI.APIError>).status ?? 0,
          ),
        ),
      );
    const b = await statuses("key-b", 6);
    expect(b.filter((s) => s === 200)).toHaveLength(3);
    expect(b.filter((s) => s === 429)).toHaveLength(3);
    // team-a: escalations stop when its 0.03 is reserved; once what is left cannot pay for a crowd (held before it
    // runs, on either process), requests get 402.
    const a: number[] = [];
    for (let round = 0; round < 8 && !a.includes(402); round++) a.push(...(await statuses("key-a", 2)));
    expect(a).toContain(402);
    const tenant = await RedisBudget.connect(`${redis.url}/3`, {
      name: "tenant.team-a",
      limitUsd: 0.03,
      window: "day",
    });
    try {
      // Spent down to less than a crowd's cost, and not overspent beyond one crowd's estimation error (before the
      // holds, the last requests of both processes overspent by their whole crowd cost).
      const left = await tenant.remainingUsd();
      expect(left).toBeLessThan(0.01);
      expect(left).toBeGreaterThan(-0.003);
    } finally {
      await tenant.close();
    }
  }, 120_000);
});
