import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { readTraffic } from "../../src/traces/read.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { killServeClis, startServeCli, writeUpstreamConfig } from "../helpers/serve_cli.js";

let dir: string;
let upstream: OpenAITestServer;
let config: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-serve-traffic-"));
  upstream = await startOpenAITestServer({
    fallback: (body) => {
      const match = /What is (\d+) \+ (\d+)\?/.exec(JSON.stringify(body.messages));
      return { content: `The answer is ${match ? Number(match[1]) + Number(match[2]) : 0}.`, delayMs: 5 };
    },
  });
  config = writeUpstreamConfig(dir, upstream.baseURL);
});

afterEach(killServeClis);

afterAll(async () => {
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

function post(
  url: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown>; worker: number }> {
  const text = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(text) },
      },
      (res) => {
        let data = "";
        res.on("data", (part: Buffer) => (data += part.toString()));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            json: JSON.parse(data) as Record<string, unknown>,
            worker: Number(res.headers["x-pyramid-worker"]),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(text);
  });
}

describe("pyramid-moa serve --traces --shadow-rate --workers 2", () => {
  it("writes one file per worker with every query whole, shadow lines, and feedback from POST /v1/feedback", async () => {
    const file = join(dir, "traffic.jsonl");
    const serve = await startServeCli([
      "--config",
      config,
      "--port",
      "0",
      "--workers",
      "2",
      "--traces",
      file,
      "--shadow-rate",
      "0.5",
      "--shadow-seed",
      "3",
    ]);
    const replies = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        post(serve.url, "/v1/chat/completions", {
          model: "pyramid-moa",
          messages: [{ role: "user", content: `What is ${i} + 1?` }],
        }),
      ),
    );
    const ids = replies.map((reply) => (reply.json.pyramid as { traceId: string }).traceId);
    expect(new Set(ids).size).toBe(60);
    expect(new Set(replies.map((reply) => reply.worker)).size).toBe(2);
    const feedback = await post(serve.url, "/v1/feedback", { id: ids[0], correct: false });
    expect(feedback.status).toBe(200);
    const bad = await post(serve.url, "/v1/feedback", { id: ids[0], correct: "yes" });
    expect(bad.status).toBe(400);
    expect((bad.json.error as { param: string }).param).toBe("correct");
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    const log = readTraffic(file);
    expect(log.files.map((f) => basename(f)).sort()).toEqual(["traffic.w1.jsonl", "traffic.w2.jsonl"]);
    for (const f of log.files)
      for (const line of readFileSync(f, "utf8").split("\n").filter(Boolean))
        expect(() => JSON.parse(line)).not.toThrow();
    expect(log.records).toHaveLength(60);
    // Clients get `<trace id>.<tag>` handles bound to their tenant; the trace holds the bare ids.
    const bare = ids.map((id) => id.slice(0, id.lastIndexOf(".")));
    expect(new Set(log.records.map((r) => r.query.id))).toEqual(new Set(bare));
    expect(log.records.find((r) => r.query.id === bare[0])?.feedback?.correct).toBe(false);
    // Every member agrees: nothing escalated, about half shadowed (all drained before the workers exited).
    const scheduled = log.records.filter((r) => r.query.shadowScheduled);
    expect(scheduled.length).toBeGreaterThan(10);
    expect(scheduled.every((r) => r.shadow?.agrees === true && r.shadow.costUsd >= 0)).toBe(true);
    expect(log.records.every((r) => !r.query.escalated)).toBe(true);
  }, 180_000);

  it("answers 409 to feedback when the server writes no traces, and checks the flags", async () => {
    const serve = await startServeCli(["--config", config, "--port", "0"]);
    const reply = await post(serve.url, "/v1/feedback", { id: "q_1", correct: true });
    expect(reply.status).toBe(409);
    expect((reply.json.error as { message: string }).message).toMatch(/--traces/);
    serve.child.kill("SIGTERM");
    await serve.exited;
    await expect(startServeCli(["--config", config, "--port", "0", "--shadow-rate", "0.2"])).rejects.toThrow(
      /--shadow-rate: needs --traces/,
    );
  }, 60_000);
});
