import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import { killServeClis, startServeCli, writeUpstreamConfig } from "../helpers/serve_cli.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { runCli } from "./capture.js";

let dir: string;
let upstream: OpenAITestServer;
let config: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-serve-"));
  upstream = await startOpenAITestServer({ fallback: () => ({ content: "The answer is 4.", delayMs: 600 }) });
  config = writeUpstreamConfig(dir, upstream.baseURL);
});

afterAll(async () => {
  killServeClis();
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("pyramid-moa serve", () => {
  it("says in its start-up line that API keys are required when the config has tenants", async () => {
    const withTenants = join(dir, "tenants.config.json");
    const base = JSON.parse(readFileSync(config, "utf8")) as Record<string, unknown>;
    writeFileSync(
      withTenants,
      JSON.stringify({ ...base, tenants: [{ name: "acme", keyEnv: "PYRAMID_SERVE_TEST_ACME" }] }),
    );
    const { child, url, stdout, exited } = await startServeCli(["--config", withTenants, "--port", "0"], {
      PYRAMID_SERVE_TEST_ACME: "acme-key",
    });
    expect(stdout()).toContain(`on ${url}/v1 (model "pyramid-moa", API key required (1 tenant))`);
    const anonymous = await fetch(`${url}/v1/models`);
    expect(anonymous.status).toBe(401);
    const keyed = await fetch(`${url}/v1/models`, { headers: { authorization: "Bearer acme-key" } });
    expect(keyed.status).toBe(200);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  it("serves the config's pyramid with a bearer token and shuts down gracefully on SIGTERM", async () => {
    const { child, url, stderr, exited } = await startServeCli(
      ["--config", config, "--port", "0", "--token-env", "PYRAMID_SERVE_TEST_TOKEN"],
      {
        PYRAMID_SERVE_TEST_TOKEN: "serve-token",
      },
    );
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "serve-token", maxRetries: 0 });
    const unauthorized = await new OpenAI({ baseURL: `${url}/v1`, apiKey: "nope", maxRetries: 0 }).models
      .list()
      .catch((e: unknown) => e);
    expect((unauthorized as InstanceType<typeof OpenAI.APIError>).status).toBe(401);

    const inFlight = client.chat.completions.create({
      model: "pyramid-moa",
      messages: [{ role: "user", content: "2 + 2?" }],
    });
    // /health does not count itself: 1 means the completion is being answered.
    for (;;) {
      const health = (await (await fetch(`${url}/health`)).json()) as { inFlight: number };
      if (health.inFlight >= 1) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const health = await fetch(`${url}/health`);
    expect(health.headers.get("x-pyramid-worker")).toBe(String(child.pid));
    child.kill("SIGTERM");
    const completion = await inFlight;
    expect(completion.choices[0].message.content).toBe("The answer is 4.");
    expect(await exited).toBe(0);
    expect(stderr()).toContain("SIGTERM: shutting down after");
    expect(stderr()).toContain("pyramid-moa serve: stopped");
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it("names a missing token variable and a bad port before starting", async () => {
    delete process.env.PYRAMID_SERVE_UNSET;
    const token = await runCli(["serve", "--config", config, "--token-env", "PYRAMID_SERVE_UNSET"]);
    expect(token.code).toBe(1);
    expect(token.stderr).toContain("--token-env: the environment variable PYRAMID_SERVE_UNSET is not set");
    const port = await runCli(["serve", "--config", config, "--port", "http"]);
    expect(port.code).toBe(1);
    expect(port.stderr).toContain('--port: expected a whole number >= 0, got "http"');
  });
});
