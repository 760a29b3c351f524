import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { parseWorkersOption } from "../../src/cli/serve_options.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import { killServeClis, startServeCli, writeUpstreamConfig } from "../helpers/serve_cli.js";
import type { ServeCli } from "../helpers/serve_cli.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { runCli } from "./capture.js";

let dir: string;
let upstream: OpenAITestServer;
let config: string;

/** The scripted members answer "What is a + b?" with a + b; a question that says "slowly" takes 1.5 s. */
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-serve-workers-"));
  upstream = await startOpenAITestServer({
    fallback: (body) => {
      const question = JSON.stringify(body.messages);
      const match = /What is (\d+) \+ (\d+)\?/.exec(question);
      const sum = match ? Number(match[1]) + Number(match[2]) : 0;
      return { content: `The answer is ${sum}.`, delayMs: question.includes("slowly") ? 1500 : 20 };
    },
  });
  config = writeUpstreamConfig(dir, upstream.baseURL);
});

afterEach(killServeClis);

afterAll(async () => {
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves with the first match of `pattern` in the server's stderr, polling until it appears. */
async function waitForLog(serve: ServeCli, pattern: RegExp): Promise<RegExpExecArray> {
  for (;;) {
    const match = pattern.exec(serve.stderr());
    if (match) return match;
    if (serve.child.exitCode !== null) throw new Error(`serve exited before logging ${pattern}: ${serve.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function listeningPids(stderr: string): number[] {
  return [...stderr.matchAll(/worker (\d+) listening on/g)].map((m) => Number(m[1]));
}

/** One chat completion on a fresh connection (no keep-alive: a killed worker leaves no stale socket behind). */
function ask(url: string, question: string): Promise<{ status: number; worker: number; content: string }> {
  const body = JSON.stringify({ model: "pyramid-moa", messages: [{ role: "user", content: question }] });
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/v1/chat/completions`,
      {
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        let text = "";
        res.on("data", (part: Buffer) => (text += part.toString()));
        res.on("end", () => {
          const parsed = JSON.parse(text) as { choices?: { message: { content: string } }[] };
          resolve({
            status: res.statusCode ?? 0,
            worker: Number(res.headers["x-pyramid-worker"]),
            content: parsed.choices?.[0]?.message.content ?? text,
          });
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Asks `count` different sums at once and checks every answer. */
async function askSums(url: string, count: number, offset: number): Promise<number[]> {
  const replies = await Promise.all(
    Array.from({ length: count }, (_, i) => ask(url, `What is ${offset + i} + ${i * 7}?`)),
  );
  replies.forEach((reply, i) => {
    expect(reply.status).toBe(200);
    expect(reply.content).toBe(`The answer is ${offset + i + i * 7}.`);
  });
  return replies.map((reply) => reply.worker);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("pyramid-moa serve --workers", () => {
  it("serves from 2 worker processes, restarts a killed one and shuts all down gracefully on SIGTERM", async () => {
    const serve = await startServeCli(["--config", config, "--port", "0", "--workers", "2"]);
    const first = listeningPids(serve.stderr());
    expect(first).toHaveLength(2);
    expect(first).not.toContain(serve.child.pid);

    const served = await askSums(serve.url, 12, 1);
    expect(new Set(served)).toEqual(new Set(first));

    // Kill one worker: the other keeps answering, and the primary starts a new one.
    const [victim, survivor] = first;
    process.kill(victim, "SIGKILL");
    await waitForLog(serve, new RegExp(`worker ${victim} exited \\(signal SIGKILL\\); restarting it in \\d+ ms`));
    expect(new Set(await askSums(serve.url, 4, 100)).has(victim)).toBe(false);
    await waitForLog(
      serve,
      /worker (\d+) listening on[\s\S]*worker (\d+) listening on[\s\S]*worker (\d+) listening on/,
    );
    const replacement = listeningPids(serve.stderr())[2];
    expect([victim, survivor, serve.child.pid]).not.toContain(replacement);
    expect(isAlive(victim)).toBe(false);
    let seen = new Set<number>();
    for (let round = 0; round < 20 && !seen.has(replacement); round++)
      seen = new Set([...seen, ...(await askSums(serve.url, 4, 200 + round * 10))]);
    expect(seen.has(replacement)).toBe(true);

    // SIGTERM the primary while a request is in flight: it is answered, then every process exits with 0.
    const slowRequests = () =>
      upstream.chatRequests().filter((r) => JSON.stringify(r.body?.messages).includes("slowly")).length;
    const before = slowRequests();
    const inFlight = ask(serve.url, "What is 40 + 2? Answer slowly.");
    while (slowRequests() === before) await new Promise((resolve) => setTimeout(resolve, 20));
    serve.child.kill("SIGTERM");
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect(answer.content).toBe("The answer is 42.");
    expect(await serve.exited).toBe(0);
    const log = serve.stderr();
    expect(log).toContain("SIGTERM: shutting down 2 worker(s) after the requests in flight");
    for (const pid of [survivor, replacement]) {
      expect(log).toContain(`pyramid-moa serve: worker ${pid}: shutdown: shutting down after`);
      expect(log).toContain(`pyramid-moa serve: worker ${pid} exited (code 0)`);
      expect(isAlive(pid)).toBe(false);
    }
    expect(log).toContain("pyramid-moa serve: stopped");
    await expect(ask(serve.url, "What is 1 + 1?")).rejects.toThrow();
  }, 180_000);

  it("stops with code 1 when the workers cannot listen (port in use)", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      const failed = await startServeCli(["--config", config, "--port", String(port), "--workers", "2"]).catch(
        (e: unknown) => e as Error,
      );
      // One line naming the flag and the fix, not a stack trace.
      expect((failed as Error).message).toMatch(
        new RegExp(
          `serve exited with 1:[^]*pyramid-moa serve: --port: port ${port} on 127\\.0\\.0\\.1 is already in use Fix: [^]*exited \\(code 1\\) before it listened: stopping`,
        ),
      );
      expect((failed as Error).message).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  }, 120_000);

  it("validates --workers at the command line, naming the flag and the fix", async () => {
    for (const bad of ["0", "two", "1.5", "-3", "", "257"]) {
      const result = await runCli(["serve", "--config", config, `--workers=${bad}`]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`--workers: expected a whole number from 1 to 256 or "auto", got "${bad}"`);
      expect(result.stderr).toContain("Fix: pass e.g. --workers 2, or --workers auto");
    }
    expect(parseWorkersOption(undefined)).toBe(1);
    expect(parseWorkersOption("3")).toBe(3);
    expect(parseWorkersOption("auto")).toBe(availableParallelism());
  });
});
