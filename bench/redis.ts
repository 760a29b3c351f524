import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { BudgetTracker } from "../src/cost/budget.js";
import type { Budget } from "../src/cost/budget_api.js";
import { RedisBudget } from "../src/redis/budget.js";
import { startRedisServer } from "../test/helpers/redis_server.js";
import type { RedisTestServer } from "../test/helpers/redis_server.js";
import { CROWD_MODELS, ORACLE_MODEL, replaySetup } from "./replay_setup.js";
import { startServe } from "./serve_child.js";
import type { ServeProcess } from "./serve_child.js";
import { figure, now, rotate } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the Redis suite. */
export interface RedisBenchOptions {
  /** Reserve + settle pairs per round (one after the other). Default 2000. */
  readonly operations?: number;
  /** Pairs in flight at once in the concurrent measurement. Default 32. */
  readonly concurrency?: number;
  /** Measured rounds (after a warm-up). Default 5. */
  readonly rounds?: number;
  /** Chat completions sent at once per round to `serve --workers 2`. Default 200. */
  readonly queries?: number;
  /** Measured rounds of the serve comparison. Default 2. */
  readonly serveRounds?: number;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** `operations` reserve + settle pairs, `concurrency` at a time; wall ms per pair. */
async function reserveSettle(budget: Budget, operations: number, concurrency: number): Promise<number> {
  let next = 0;
  const t0 = now();
  const lane = async (): Promise<void> => {
    while (next < operations) {
      next++;
      const held = await budget.reserve(0.001, { ttlMs: 60_000 });
      if (!held.ok) throw new Error("the bench budget ran out");
      await budget.settle(held.reservation, 0.0009);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  return (now() - t0) / operations;
}

function complete(url: string, question: string, key: string): Promise<void> {
  const body = JSON.stringify({ model: "pyramid-moa", messages: [{ role: "user", content: question }] });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/chat/completions`,
      {
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/**
 * The Redis suite: (1) reserve + settle of one escalation on a `RedisBudget` (real redis-server on 127.0.0.1) against
 * the in-process `BudgetTracker`, one at a time and `concurrency` at a time; (2) `serve --workers 2` wall time for
 * the same load with a Redis budget, a tenant with its own Redis budget and rate limits, against no budget.
 */
export function createRedisSuite(options: RedisBenchOptions = {}): BenchSuite {
  const operations = options.operations ?? 2000;
  const concurrency = options.concurrency ?? 32;
  const rounds = options.rounds ?? 5;
  const queries = options.queries ?? 200;
  const serveRounds = options.serveRounds ?? 2;
  return async (): Promise<BenchFigure[]> => {
    let redis: RedisTestServer;
    try {
      redis = await startRedisServer();
    } catch (error) {
      console.log(
        `  redis: skipped, redis-server did not start (${error instanceof Error ? error.message.split("\n")[0] : String(error)})`,
      );
      return [];
    }
    const figures: BenchFigure[] = [];
    const dir = mkdtempSync(join(tmpdir(), "pyramid-bench-redis-"));
    try {
      const shared = await RedisBudget.connect(redis.url, { name: "bench", limitUsd: 1e6 });
      try {
        for (const lanes of [1, concurrency]) {
          const values: number[] = [];
          const baselines: number[] = [];
          await reserveSettle(shared, Math.min(500, operations), lanes);
          await reserveSettle(new BudgetTracker(1e6), Math.min(500, operations), lanes);
          for (let r = 0; r < rounds; r++) {
            for (const which of rotate(["redis", "local"] as const, r)) {
              if (which === "redis") values.push(await reserveSettle(shared, operations, lanes));
              else baselines.push(await reserveSettle(new BudgetTracker(1e6), operations, lanes));
            }
          }
          const ms = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)].toFixed(4);
          figures.push(
            figure({
              section: "Redis",
              name: `reserve + settle per escalation, ${lanes === 1 ? "one at a time" : `${lanes} in flight`}: RedisBudget vs BudgetTracker`,
              unit: "ms",
              values,
              baselines,
              note:
                `${operations} pairs per round, ${rounds} rounds interleaved; RedisBudget: two Lua scripts (EVALSHA) on a local ` +
                `redis-server over TCP (ioredis), median ${ms(values)} ms per pair; BudgetTracker: in process, median ${ms(baselines)} ms`,
            }),
          );
        }
      } finally {
        await shared.close();
      }

      const setup = replaySetup();
      if (!setup) {
        console.log(
          "  redis: serve comparison skipped, no recorded/gsm8k.jsonl under the data folder (set PYRAMID_DATA_DIR)",
        );
        return figures;
      }
      const texts = setup.queries.map((messages) => String(messages[messages.length - 1].content));
      const questions = Array.from({ length: queries }, (_, i) => texts[i % texts.length]);
      const member = (model: string) => ({ provider: "replay", model, recordedFile: setup.file });
      const base = {
        tiers: [
          { name: "crowd", members: CROWD_MODELS.map(member) },
          { name: "oracle", members: [member(ORACLE_MODEL)] },
        ],
        router: join(root, "routers", "gsm8k-llama8b-gemma9b-qwen7b.json"),
        policy: "balanced",
        task: "math",
      };
      const plain = join(dir, "plain.json");
      const withRedis = join(dir, "redis.json");
      writeFileSync(plain, JSON.stringify(base));
      writeFileSync(
        withRedis,
        JSON.stringify({
          ...base,
          budget: { limitUsd: 1e6, redis: redis.url },
          tenants: [
            {
              name: "bench",
              keyEnv: "PYRAMID_BENCH_KEY",
              budgetUsd: 1e6,
              requestsPerMinute: 1e9,
              tokensPerMinute: 1e12,
            },
          ],
        }),
      );
      const env = { PYRAMID_BENCH_KEY: "bench-key" };
      const servers: Record<"plain" | "redis", ServeProcess | undefined> = { plain: undefined, redis: undefined };
      try {
        servers.plain = await startServe(plain, 2, env);
        servers.redis = await startServe(withRedis, 2, env);
        const running = { plain: servers.plain, redis: servers.redis };
        const round = async (name: "plain" | "redis"): Promise<number> => {
          const t0 = now();
          await Promise.all(questions.map((q) => complete(running[name].url, q, "bench-key")));
          return now() - t0;
        };
        await round("plain");
        await round("redis");
        const walls: Record<"plain" | "redis", number[]> = { plain: [], redis: [] };
        for (let r = 0; r < serveRounds; r++)
          for (const name of rotate(["plain", "redis"] as const, r)) walls[name].push(await round(name));
        const qps = (name: "plain" | "redis") => ((queries * 1000) / Math.min(...walls[name])).toFixed(1);
        figures.push(
          figure({
            section: "Redis",
            name: "serve --workers 2 with Redis budgets and tenant limits vs without: wall time of the same load",
            unit: "ms",
            values: walls.redis,
            baselines: walls.plain,
            note:
              `${queries} chat completions at once over HTTP, replayed GSM8K members (no model call), ${serveRounds} rounds interleaved after a warm-up; ` +
              `with Redis: a global budget and one tenant (own budget, requests and tokens per minute) in a local redis-server, ` +
              `i.e. per request a budget read, a rate check, crowd charge, reserve + settle on escalation and a token record; ` +
              `best ${qps("plain")} vs ${qps("redis")} requests/s (without / with)`,
          }),
        );
      } finally {
        for (const server of Object.values(servers)) await server?.stop();
      }
      return figures;
    } finally {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

/** The Redis suite with its default settings. */
export const redisSuite: BenchSuite = createRedisSuite();
