import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PyramidChatModel } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import { TrafficRecorder } from "../../src/traces/index.js";
import type { PyramidServer, ServerTenant } from "../../src/server/index.js";
import { connectRedis, RedisRateLimiter } from "../../src/redis/index.js";
import type { RateLimiter } from "../../src/redis/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";
import { startRedisServer } from "../helpers/redis_server.js";

const running: PyramidServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function serveWithTraces(tenants: ServerTenant[], rateLimiter?: RateLimiter, sharedDir?: string) {
  const dir = sharedDir ?? mkdtempSync(join(tmpdir(), "pyramid-feedback-attack-"));
  if (!sharedDir) dirs.push(dir);
  const file = join(dir, "traffic.jsonl");
  const crowd = ["4", "4", "4"].map((reply, i) => new ScriptedChatModel({ name: `small-${i}`, reply }));
  const model = new PyramidChatModel({
    crowd,
    oracle: new ScriptedChatModel({ name: "big", reply: "4" }),
    task: "math",
  });
  const server = createPyramidServer({
    model,
    traffic: new TrafficRecorder({ traces: file }),
    tenants,
    metrics: false,
    log: () => undefined,
    ...(rateLimiter ? { rateLimiter } : {}),
  });
  running.push(server);
  const { url } = await server.listen(0, "127.0.0.1");
  return { url, file };
}

async function ask(url: string, key: string): Promise<string> {
  const reply = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "What is 2 + 2?" }] }),
  });
  expect(reply.status).toBe(200);
  return ((await reply.json()) as { pyramid: { traceId: string } }).pyramid.traceId;
}

async function feedback(url: string, key: string, id: string, correct = true) {
  const reply = await fetch(`${url}/v1/feedback`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ id, correct }),
  });
  const json = (await reply.json()) as { error?: { message: string; code: string } };
  return { status: reply.status, json, retryAfter: reply.headers.get("retry-after") };
}

function feedbackLines(file: string): Array<{ id: string; correct: boolean }> {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { type: string; id: string; correct: boolean })
    .filter((line) => line.type === "feedback");
}

describe("POST /v1/feedback is bound to its tenant", () => {
  it("refuses another tenant's trace id and a made-up one with the same 404, and a second label with 409", async () => {
    const { url, file } = await serveWithTraces([
      { name: "team-a", key: "key-a-0123456789" },
      { name: "team-b", key: "key-b-0123456789" },
    ]);
    const id = await ask(url, "key-a-0123456789");
    const rawId = id.slice(0, id.lastIndexOf("."));
    expect(rawId).toMatch(/^q_[0-9a-f-]{36}$/);

    const stolen = await feedback(url, "key-b-0123456789", id, false);
    const madeUp = await feedback(url, "key-b-0123456789", `q_00000000-0000-0000-0000-000000000000.${"A".repeat(22)}`);
    const bare = await feedback(url, "key-b-0123456789", rawId, false);
    expect([stolen.status, madeUp.status, bare.status]).toEqual([404, 404, 404]);
    // Nothing tells an existing id of another tenant from one that never existed.
    expect(stolen.json).toEqual(madeUp.json);
    expect(bare.json).toEqual(madeUp.json);
    expect(stolen.json.error?.code).toBe("trace_not_found");
    // The owner's own raw id (without its handle) is not accepted either: only the handle it was given.
    expect((await feedback(url, "key-a-0123456789", rawId)).status).toBe(404);

    const own = await feedback(url, "key-a-0123456789", id, true);
    expect(own.status).toBe(200);
    const again = await feedback(url, "key-a-0123456789", id, false);
    expect(again.status).toBe(409);
    expect(again.json.error?.code).toBe("already_labelled");
    expect(feedbackLines(file)).toEqual([expect.objectContaining({ id: rawId, correct: true })]);
  });

  it("refuses the 20,000-post flood past the tenant's rate with 429 and retry-after; the trace grows by one line", async () => {
    const { url, file } = await serveWithTraces([{ name: "team-a", key: "key-a-0123456789", requestsPerMinute: 5 }]);
    const id = await ask(url, "key-a-0123456789");
    const before = statSync(file).size;
    const started = Date.now();
    // Post 1 of 20,000 labels the answer; the 19,999 others come from 32 connections at once.
    expect((await feedback(url, "key-a-0123456789", id, true)).status).toBe(200);
    const statuses = new Map<number, number>();
    let resets = 0;
    let retryAfter: string | null = null;
    let next = 1;
    const worker = async () => {
      while (next < 20_000) {
        next++;
        try {
          const reply = await feedback(url, "key-a-0123456789", id, next % 2 === 0);
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          if (reply.status === 429) retryAfter = reply.retryAfter;
        } catch {
          // A keep-alive connection closed under the client on an overloaded machine: no answer to count.
          resets++;
        }
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
    const seconds = (Date.now() - started) / 1000;
    const answered = [...statuses.values()].reduce((a, b) => a + b, 0);
    console.log(
      `feedback flood: 20000 posts in ${seconds.toFixed(1)} s: ${JSON.stringify([...statuses])}, ${resets} resets`,
    );
    expect(answered + resets).toBe(19_999);
    expect(resets).toBeLessThan(200);
    // The feedback bucket (its own, of requestsPerMinute = 5) lets 5 posts through at once and one more every 12 s:
    // the first recorded, the others already labelled, every other one refused.
    const admitted = 5 + Math.ceil(seconds / 12);
    expect(statuses.get(200)).toBeUndefined();
    expect(statuses.get(409) ?? 0).toBeLessThanOrEqual(admitted - 1);
    expect(statuses.get(429)).toBeGreaterThanOrEqual(answered - admitted);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    const grown = statSync(file).size - before;
    expect(feedbackLines(file)).toHaveLength(1);
    expect(grown).toBeGreaterThan(0);
    expect(grown).toBeLessThan(200);
  }, 900_000);

  it("binds handles across two servers with the same keys, whose feedback rate is shared in a real Redis", async () => {
    const redis = await startRedisServer();
    const connections = [await connectRedis(redis.url), await connectRedis(redis.url)];
    try {
      const tenants = [
        { name: "team-a", key: "key-a-0123456789", feedbackPerMinute: 3 },
        { name: "team-b", key: "key-b-0123456789" },
      ];
      const dir = mkdtempSync(join(tmpdir(), "pyramid-feedback-redis-"));
      dirs.push(dir);
      const one = await serveWithTraces(tenants, new RedisRateLimiter(connections[0]), join(dir, "one"));
      const two = await serveWithTraces(tenants, new RedisRateLimiter(connections[1]), join(dir, "two"));
      const ids = [await ask(one.url, "key-a-0123456789"), await ask(one.url, "key-a-0123456789")];
      // Server two (another process in production: same keys, same secret) accepts server one's handles...
      expect((await feedback(two.url, "key-a-0123456789", ids[0])).status).toBe(200);
      // ... refuses them from another tenant with the 404 of a made-up id ...
      expect((await feedback(two.url, "key-b-0123456789", ids[1])).status).toBe(404);
      // ... takes one label per answer across both servers (claims in Redis), and counts the tenant's 3 feedback
      // posts a minute across both.
      expect((await feedback(one.url, "key-a-0123456789", ids[1])).status).toBe(200);
      expect((await feedback(two.url, "key-a-0123456789", ids[1])).status).toBe(409);
      const refused = await feedback(one.url, "key-a-0123456789", ids[1]);
      expect(refused.status).toBe(429);
      expect(Number(refused.retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await Promise.all(connections.map((connection) => connection.quit()));
      await redis.stop();
    }
  });
});
