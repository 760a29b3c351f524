import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { RedisBudget } from "../../src/redis/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { ChatCompletionRequest, OpenAITestServer } from "../helpers/openai_server.js";
import { startRedisServer } from "../helpers/redis_server.js";
import type { RedisTestServer } from "../helpers/redis_server.js";
import { killServeClis, startServeCli } from "../helpers/serve_cli.js";

// #22: a tenant's budget must hold whatever the answer length. Members write long answers (up to 300 words, cut at
// the request's max_tokens, as a real server does) to short prompts; many requests run at once on two `serve`
// processes sharing one real redis-server. The overspend is measured twice: in Redis (what the tenant's account
// holds) and from what the members really wrote (the upstream's own log of completion tokens, at the prices).

const WORDS = 300;
const MAX_TOKENS = 400;
const PRICE = { crowd: { input: 50, output: 100 }, oracle: { input: 150, output: 300 } };
const LIMIT_USD = 1;

let dir: string;
let redis: RedisTestServer;
let upstream: OpenAITestServer;

/** USD every upstream call really cost, at its member's price (what the members spent). */
const spent: number[] = [];

/**
 * A long answer (cut at the request's max_tokens, as a real server does) ending with a different answer per member,
 * so the crowd splits and wants the Oracle. Its cost is recorded from the tokens it reports.
 */
function longAnswer(request: ChatCompletionRequest, answer: string, price: { input: number; output: number }) {
  const words = Math.min(WORDS, request.max_tokens ?? WORDS);
  const filler = Array.from({ length: words - 4 }, () => "so");
  const promptTokens = JSON.stringify(request.messages).split(/\s+/).length;
  spent.push((promptTokens * price.input + words * price.output) / 1e6);
  return { content: [...filler, "The", "answer", "is", `${answer}.`].join(" "), promptTokens, delayMs: 30 };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-overspend-"));
  redis = await startRedisServer();
  upstream = await startOpenAITestServer({
    models: Object.fromEntries(
      ["a", "b", "c"].map((m, i) => [m, (r: ChatCompletionRequest) => longAnswer(r, `${i + 1}`, PRICE.crowd)]),
    ),
    fallback: (r) => longAnswer(r, "4", PRICE.oracle),
  });
}, 60_000);

afterEach(killServeClis);

afterAll(async () => {
  await upstream?.close();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a tenant's budget with long answers under concurrency (#22)", () => {
  it("ends overspent by at most 5% of its budget, across two serve processes on one Redis", async () => {
    const member = (model: string) => ({ provider: "openai", model, baseURL: upstream.baseURL, maxTokens: MAX_TOKENS });
    const config = join(dir, "overspend.json");
    writeFileSync(
      config,
      JSON.stringify({
        tiers: [
          { name: "crowd", members: ["a", "b", "c"].map((m) => ({ ...member(m), price: PRICE.crowd })) },
          { name: "oracle", members: [{ ...member("big-70b"), price: PRICE.oracle, timeoutMs: 30_000 }] },
        ],
        task: "math",
        budget: { redis: `${redis.url}/5`, limitUsd: 1000, window: "day" },
        tenants: [{ name: "team-a", keyEnv: "PYRAMID_TEST_KEY_A", budgetUsd: LIMIT_USD }],
      }),
    );
    const env = { PYRAMID_TEST_KEY_A: "key-a" };
    const servers = await Promise.all([
      startServeCli(["--config", config, "--port", "0"], env),
      startServeCli(["--config", config, "--port", "0"], env),
    ]);
    const ask = (i: number) =>
      new OpenAI({ baseURL: `${servers[i % 2].url}/v1`, apiKey: "key-a", maxRetries: 0 }).chat.completions
        .create({ model: "pyramid-moa", messages: [{ role: "user", content: `What is ${i} + 1?` }] })
        .then(
          () => 200,
          (e: unknown) => (e as InstanceType<typeof OpenAI.APIError>).status ?? 0,
        );
    const statuses: number[] = [];
    // Waves of 16 concurrent requests until the tenant is refused everywhere.
    for (let wave = 0; wave < 6 && (wave === 0 || !statuses.slice(-16).every((s) => s === 402)); wave++)
      statuses.push(...(await Promise.all(Array.from({ length: 16 }, (_, i) => ask(wave * 16 + i)))));
    const tenant = await RedisBudget.connect(`${redis.url}/5`, {
      name: "tenant.team-a",
      limitUsd: LIMIT_USD,
      window: "day",
    });
    try {
      const recordedUsd = LIMIT_USD - (await tenant.remainingUsd());
      const realUsd = spent.reduce((sum, usd) => sum + usd, 0);
      const overspend = Math.max(0, realUsd - LIMIT_USD) / LIMIT_USD;
      console.log(
        `overspend: tenant budget ${LIMIT_USD} USD, members really spent ${realUsd.toFixed(6)} USD, Redis recorded ${recordedUsd.toFixed(6)} USD, ` +
          `overspend ${(100 * overspend).toFixed(2)}% of the budget; ${statuses.filter((s) => s === 200).length} answered, ` +
          `${statuses.filter((s) => s === 402).length} refused (402) of ${statuses.length}`,
      );
      expect(statuses.filter((s) => s !== 200 && s !== 402)).toEqual([]);
      expect(statuses).toContain(402);
      expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(2);
      expect(recordedUsd).toBeCloseTo(realUsd, 6);
      expect(overspend).toBeLessThanOrEqual(0.05);
    } finally {
      await tenant.close();
    }
  }, 240_000);
});
