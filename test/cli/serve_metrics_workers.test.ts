import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { killServeClis, startServeCli, writeUpstreamConfig } from "../helpers/serve_cli.js";
import { parseMetrics, sampleValue } from "../helpers/metrics_text.js";

let dir: string;
let upstream: OpenAITestServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-serve-metrics-"));
  upstream = await startOpenAITestServer({ fallback: () => ({ content: "The answer is 4.", delayMs: 5 }) });
});

afterAll(async () => {
  killServeClis();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("GET /metrics with serve --workers 2", () => {
  it("reports every worker's requests, whichever worker the scrape reaches", async () => {
    const serve = await startServeCli([
      "--config",
      writeUpstreamConfig(dir, upstream.baseURL),
      "--port",
      "0",
      "--workers",
      "2",
    ]);
    const client = new OpenAI({ baseURL: `${serve.url}/v1`, apiKey: "x", maxRetries: 0 });
    const workers = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const { response } = await client.chat.completions
        .create({ model: "m", messages: [{ role: "user", content: `2 + 2? ${i}` }] })
        .withResponse();
      workers.add(response.headers.get("x-pyramid-worker") ?? "");
    }
    for (let scrape = 0; scrape < 4; scrape++) {
      const samples = parseMetrics(
        await (await fetch(`${serve.url}/metrics`, { headers: { connection: "close" } })).text(),
      );
      expect(sampleValue(samples, "pyramid_requests_total", { tenant: "default", status: "200" })).toBe(12);
      expect(sampleValue(samples, "pyramid_request_duration_seconds_count", { tenant: "default" })).toBe(12);
    }
    serve.child.kill("SIGTERM");
    expect(await serve.exited).toBe(0);
    // Not asserted (the OS balances connections), but reported: how many workers answered.
    console.log(`answered by ${workers.size} worker(s)`);
  }, 60_000);
});
