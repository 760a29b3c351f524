import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyramidConfigError } from "../../src/index.js";
import { RedisBudget } from "../../src/redis/index.js";
import { connectRedis } from "../../src/redis/connection.js";
import type { RedisConnection } from "../../src/redis/connection.js";
import { startRedisServer } from "../helpers/redis_server.js";
import type { RedisTestServer } from "../helpers/redis_server.js";
import { thrownBy } from "../helpers/thrown.js";

// What a RedisBudget writes to Redis and what it refuses (edges found by mutation testing, docs/testing.md).

let redis: RedisTestServer;
let raw: Redis;
let live: RedisConnection;
/** A connection to a port nothing listens on: every command fails at once (Redis down). */
let down: RedisConnection;
let dir: string;

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
  live = await connectRedis(redis.url);
  down = await connectRedis("redis://127.0.0.1:1", { connectTimeoutMs: 1000 });
  dir = mkdtempSync(join(tmpdir(), "budget-edges-"));
}, 30_000);

afterAll(async () => {
  await live?.quit().catch(() => undefined);
  await down?.quit().catch(() => undefined);
  await raw?.quit();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let names = 0;
const account = (limitUsd = 1) => ({ name: `edge${++names}`, limitUsd });

describe("RedisBudget options: bad values are refused naming the field", () => {
  const error = (fn: () => unknown) => thrownBy(fn) as PyramidConfigError;

  it("an account name with a space: the allowed characters", () => {
    const e = error(() => new RedisBudget(live, { name: "has space", limitUsd: 1 }));
    expect(e).toBeInstanceOf(PyramidConfigError);
    expect(e.field).toBe("RedisBudget.accounts.0.name");
    expect(e.message).toContain("must be 1-64 letters, digits, '_', '.' or '-'");
  });

  it("a limit above 9,000,000 USD", () => {
    const e = error(() => new RedisBudget(live, { name: "big", limitUsd: 9e6 + 1 }));
    expect(e.field).toBe("RedisBudget.accounts.0.limitUsd");
    expect(e.message).toContain("must be at most 9,000,000 USD");
  });

  it.each([["a b"], ["ok prefix"], ["bad!"], ["x".repeat(65)]])("the key prefix %j", (prefix) => {
    const e = error(() => new RedisBudget(live, account(), { prefix }));
    expect(e.field).toBe("RedisBudget.options.prefix");
    expect(e.message).toContain("must be 1-64 letters, digits, '_', '.', ':' or '-'");
  });

  it("an empty list of accounts", () => {
    const e = error(() => new RedisBudget(live, []));
    expect(e).toBeInstanceOf(PyramidConfigError);
    expect(e.field).toBe("RedisBudget.accounts");
  });

  it("an empty journal path; a long one is accepted", () => {
    expect(error(() => new RedisBudget(live, account(), { journal: "" })).field).toBe("RedisBudget.options.journal");
    expect(new RedisBudget(live, account(), { journal: join(dir, "long-journal-name.jsonl") })).toBeInstanceOf(
      RedisBudget,
    );
  });

  it("reports the first account's window (total by default)", () => {
    expect(new RedisBudget(live, { name: "w1", limitUsd: 1, window: "day" }).window).toBe("day");
    expect(new RedisBudget(live, account()).window).toBe("total");
  });
});

describe("RedisBudget keys and amounts in Redis", () => {
  it("keeps spending as integer nano-USD under {prefix}:budget:<account>:<window>:spent", async () => {
    const a = account();
    const budget = new RedisBudget(live, a, { prefix: "edges" });
    await budget.charge(0.25);
    expect(await raw.get(`{edges}:budget:${a.name}:total:spent`)).toBe("250000000");
    // Every settle is recorded once by its operation id, in the prefix's ops hash (kept two days).
    expect(await raw.hlen("{edges}:budget:ops")).toBeGreaterThan(0);
    expect(await raw.ttl("{edges}:budget:ops")).toBeGreaterThan(172_000);
  });

  it("a reservation is held under :resv and :amt and reports the USD it holds (rounded up to a nano-USD)", async () => {
    const a = account();
    const budget = new RedisBudget(live, a, { prefix: "edges" });
    const held = await budget.reserve(0.25);
    if (!held.ok) throw new Error("expected the reservation");
    expect(held.reservation.usd).toBe(0.25);
    expect(held.remainingUsd).toBe(0.75);
    expect(await raw.hget(`{edges}:budget:${a.name}:total:amt`, held.reservation.id)).toBe("250000000");
    expect(await raw.zscore(`{edges}:budget:${a.name}:total:resv`, held.reservation.id)).not.toBeNull();
    await budget.settle(held.reservation, 0.125);
    expect(await raw.get(`{edges}:budget:${a.name}:total:spent`)).toBe("125000000");
    expect(await raw.hlen(`{edges}:budget:${a.name}:total:amt`)).toBe(0);
  });

  it("and() keeps the prefix and the reservation lifetime of the budget it is called on", async () => {
    const a = account();
    const b = account();
    const first = new RedisBudget(live, a, { prefix: "edges-and", reservationTtlMs: 300 });
    const both = first.and(new RedisBudget(live, b, { prefix: "edges-and" }));
    const held = await both.reserve(0.5, { ttlMs: 60_000 });
    expect(held.ok).toBe(true);
    // The reservation lives 300 ms (+1 s of key slack), not the 60 s the call asked for.
    const pttl = await raw.pttl(`{edges-and}:budget:${a.name}:total:resv`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(1300);
    expect(await first.remainingUsd()).toBe(0.5);
  });
});

describe("RedisBudget journal: spend Redis could not take is kept and settled later", () => {
  it("journals a charge while Redis is down, and the budget on the same journal file settles it once Redis answers", async () => {
    const a = account(10);
    const journal = join(dir, "shared.jsonl");
    // Made before anything is journaled: it learns of the entry through the one journal of this file in the process.
    const online = new RedisBudget(live, a, { journal });
    const offline = new RedisBudget(down, a, { journal });
    await offline.charge(0.5);
    expect(existsSync(journal)).toBe(true);
    // The live budget replays the journal before it answers.
    expect(await online.remainingUsd()).toBe(9.5);
    expect(existsSync(journal)).toBe(false);
  });

  it("without a journal, a charge Redis could not take fails", async () => {
    // Redis's own error reaches the caller.
    await expect(new RedisBudget(down, account()).charge(0.5)).rejects.toThrow(
      "Stream isn't writeable and enableOfflineQueue options is false",
    );
  });

  it("and() keeps the journal of either side", async () => {
    const journal = join(dir, "and.jsonl");
    const withJournal = new RedisBudget(down, account(), { journal });
    await withJournal.and(new RedisBudget(down, account())).charge(0.25);
    expect(existsSync(journal)).toBe(true);
    const other = join(dir, "and-other.jsonl");
    await new RedisBudget(down, account()).and(new RedisBudget(down, account(), { journal: other })).charge(0.25);
    expect(existsSync(other)).toBe(true);
    await new RedisBudget(live, account(), { journal }).replayJournal();
    await new RedisBudget(live, account(), { journal: other }).replayJournal();
    expect(existsSync(journal) || existsSync(other)).toBe(false);
  });
});

describe("RedisBudget.close", () => {
  it("closes the connection: later calls fail", async () => {
    const connection = await connectRedis(redis.url);
    const budget = new RedisBudget(connection, account());
    expect(await budget.remainingUsd()).toBe(1);
    await budget.close();
    await expect(budget.remainingUsd()).rejects.toThrow();
  });
});
