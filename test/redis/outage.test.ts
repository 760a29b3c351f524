import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BudgetTracker, PyramidChatModel } from "../../src/index.js";
import { RedisBudget, connectRedis } from "../../src/redis/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import type { PyramidServer } from "../../src/server/index.js";
import { startRedisServer } from "../helpers/redis_server.js";
import type { RestartableRedisTestServer } from "../helpers/redis_server.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

// #22: redis-server killed (SIGKILL) under load and restarted. Admission fails closed (503 + retry-after, never 500)
// while it is down; the spend of requests already running is journaled (a local fsynced file) and settled into Redis
// once it returns. Records lost = what the members really cost minus what Redis holds after recovery: must be 0.

const PRICE = { input: 100, output: 100 };
/** Every scripted call reports 10 input tokens and 1 output token (a one-character answer): 11 at 100 USD/M. */
const CALL_USD = (11 * 100) / 1e6;

let redis: RestartableRedisTestServer;
let dir: string;
beforeAll(async () => {
  redis = await startRedisServer({ durable: true });
  dir = mkdtempSync(join(tmpdir(), "pyramid-outage-"));
}, 30_000);
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("a Redis outage under load (#22)", () => {
  it("refuses with 503 and retry-after while Redis is down, and loses no spend: 0 records lost", async () => {
    const crowd = ["1", "2", "3"].map(
      (answer, i) => new ScriptedChatModel({ name: `small-${i}`, reply: answer, delayMs: 40, maxTokens: 1 }),
    );
    const oracle = new ScriptedChatModel({ name: "big", reply: "4", delayMs: 40, maxTokens: 1 });
    const journal = join(dir, "journal.jsonl");
    const connection = await connectRedis(redis.url);
    const shared = new RedisBudget(connection, { name: "global", limitUsd: 1000 }, { journal });
    const tenantBudget = new RedisBudget(connection, { name: "tenant.t", limitUsd: 1000 }, { journal });
    const prices = Object.fromEntries(["small-0", "small-1", "small-2", "big"].map((name) => [name, PRICE]));
    const model = new PyramidChatModel({ crowd, oracle, prices, task: "math", budget: shared });
    const server: PyramidServer = createPyramidServer({
      model,
      tenants: [{ name: "t", key: "key-t", budget: tenantBudget }],
      errorLog: () => undefined,
    });
    const { url } = await server.listen(0, "127.0.0.1");
    const statuses: number[] = [];
    const retryAfter: Array<string | null> = [];
    let stop = false;
    const client = async (c: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: "Bearer key-t", "content-type": "application/json" },
          body: JSON.stringify({ model: "m", messages: [{ role: "user", content: `What is ${c} + ${i}?` }] }),
        });
        await res.text();
        statuses.push(res.status);
        if (res.status === 503) {
          retryAfter.push(res.headers.get("retry-after"));
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, (_, c) => client(c)));
    try {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await redis.kill();
      await new Promise((resolve) => setTimeout(resolve, 2000));
      await redis.restart();
      // Load goes on until requests are answered again (at most 15 s).
      const restarted = statuses.length;
      for (let t = 0; t < 150 && !statuses.slice(restarted).includes(200); t++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      await new Promise((resolve) => setTimeout(resolve, 500));
      stop = true;
      await load;
    } finally {
      stop = true;
      await server.close();
    }
    const calls = [...crowd, oracle].reduce((sum, m) => sum + m.calls.length, 0);
    const realUsd = calls * CALL_USD;
    const recorded = async (account: string) => {
      const budget = new RedisBudget(connection, { name: account, limitUsd: 1000 }, { journal });
      await budget.remainingUsd(); // settles what the journal still holds first
      // The spend recorded (a reservation whose reply the kill cut off is not spend: it expires with its TTL).
      const key = `{pyramid-moa}:budget:${account}:total:spent`;
      return Number(await connection.eval("return redis.call('GET', KEYS[1])", 1, key)) / 1e9;
    };
    const tenantUsd = await recorded("tenant.t");
    const globalUsd = await recorded("global");
    await connection.quit();
    const lost = realUsd - tenantUsd;
    console.log(
      `outage: ${statuses.length} requests (${statuses.filter((s) => s === 200).length} answered, ` +
        `${statuses.filter((s) => s === 503).length} refused 503), members really spent ${realUsd.toFixed(6)} USD, ` +
        `Redis holds ${tenantUsd.toFixed(6)} USD (tenant) and ${globalUsd.toFixed(6)} USD (global): ` +
        `${Math.round(lost / CALL_USD)} records lost`,
    );
    const story = statuses.join(",");
    expect(
      statuses.filter((s) => s !== 200 && s !== 503),
      story,
    ).toEqual([]);
    expect(statuses.filter((s) => s === 503).length, story).toBeGreaterThan(0);
    expect(statuses.filter((s) => s === 200).length, story).toBeGreaterThan(2);
    // Answered again once Redis was back.
    expect(statuses.lastIndexOf(200), story).toBeGreaterThan(statuses.indexOf(503));
    expect(retryAfter.every((value) => value === "5")).toBe(true);
    expect(tenantUsd).toBeCloseTo(realUsd, 9);
    expect(globalUsd).toBeCloseTo(realUsd, 9);
    expect(existsSync(journal)).toBe(false);
  }, 60_000);

  it("journals a settle Redis could not take (fsynced file) and settles it once Redis is back", async () => {
    const journal = join(dir, "direct.jsonl");
    const connection = await connectRedis(redis.url);
    const budget = new RedisBudget(connection, { name: "direct", limitUsd: 10 }, { journal });
    try {
      const held = await budget.reserve(1);
      if (!held.ok) throw new Error("expected the reservation");
      await redis.kill();
      await budget.settle(held.reservation, 0.25);
      await budget.charge(0.5);
      expect(existsSync(journal)).toBe(true);
      await expect(budget.remainingUsd()).rejects.toThrow();
      await redis.restart();
      let remaining: number | undefined;
      for (let i = 0; i < 100 && remaining === undefined; i++) {
        remaining = await budget.remainingUsd().catch(() => undefined);
        if (remaining === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(remaining).toBeCloseTo(10 - 0.75, 9);
      expect(existsSync(journal)).toBe(false);
    } finally {
      await connection.quit();
    }
  }, 60_000);

  it("admits without the budget check when told to fail open", async () => {
    const crowd = ["1", "1", "1"].map((answer, i) => new ScriptedChatModel({ name: `s-${i}`, reply: answer }));
    const model = new PyramidChatModel({ crowd, oracle: new ScriptedChatModel({ name: "big", reply: "1" }) });
    const down = new RedisBudget(await connectRedis("redis://127.0.0.1:1"), { name: "t", limitUsd: 1 });
    const make = (budgetFailOpen: boolean) =>
      createPyramidServer({
        model,
        tenants: [{ name: "t", key: "k", budget: down }],
        budgetFailOpen,
        errorLog: () => undefined,
      });
    for (const [failOpen, status] of [
      [false, 503],
      [true, 200],
    ] as const) {
      const server = make(failOpen);
      const { url } = await server.listen(0, "127.0.0.1");
      try {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: "Bearer k", "content-type": "application/json" },
          body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "1?" }] }),
        });
        expect(res.status).toBe(status);
        if (status === 503) expect(res.headers.get("retry-after")).toBe("5");
      } finally {
        await server.close();
      }
    }
    await down.close().catch(() => undefined);
    expect(new BudgetTracker(1).limitUsd).toBe(1);
  }, 60_000);
});
