import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pyramidFromConfig } from "../../src/config/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import { TrafficRecorder } from "../../src/traces/index.js";
import type { PyramidServer } from "../../src/server/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";

// A provider key under a variable whose name matches no secret pattern, and no well-known key shape.
const CREDENTIAL = "prov9Zq-77e1c0ffee-4b2d-credential-value";
const INTERNAL_HOST = "llm-gpu-7.corp.internal";
const TENANT_KEY = "tenant-key-5b1e9c2a77";

let upstream: OpenAITestServer;
let server: PyramidServer;
let url: string;
let dir: string;
const logLines: string[] = [];

beforeAll(async () => {
  process.env.PROVIDER_CREDENTIAL = CREDENTIAL;
  process.env.TEAM_ACCESS = TENANT_KEY;
  dir = mkdtempSync(join(tmpdir(), "pyramid-secrets-attack-"));
  const answer = (request: { tools?: unknown[] }) =>
    request.tools?.length
      ? { toolCalls: [{ id: "call_1", name: "lookup", arguments: { query: `debug ${CREDENTIAL}` } }] }
      : textAnswer();
  const textAnswer = () => ({
    content: `The answer is 4. Debug: ${CREDENTIAL} done`,
    // Streamed, the key arrives split over two chunks.
    tokens: ["The answer is 4. Debug: ", CREDENTIAL.slice(0, 12), CREDENTIAL.slice(12), " done"],
  });
  upstream = await startOpenAITestServer({
    requireApiKey: CREDENTIAL,
    models: {
      a: () => ({
        error: {
          status: 500,
          message: `upstream ${INTERNAL_HOST}:8443 (/srv/models/a.gguf) rejected key ${CREDENTIAL} for prompt "What is 2 + 2?"`,
        },
      }),
      b: answer,
      c: answer,
      "big-70b": answer,
    },
  });
  const baseURL = upstream.baseURL;
  const member = (model: string) => ({ provider: "openai" as const, model, baseURL, apiKeyEnv: "PROVIDER_CREDENTIAL" });
  const model = await pyramidFromConfig({
    tiers: [
      { name: "crowd", members: ["a", "b", "c"].map(member) },
      { name: "oracle", members: [member("big-70b")] },
    ],
    task: "math",
  });
  server = createPyramidServer({
    model,
    traffic: new TrafficRecorder({ traces: { path: join(dir, "traces", "traffic.jsonl"), content: true } }),
    tenants: [{ name: "team", key: TENANT_KEY }],
    metrics: false,
    log: (line) => logLines.push(line),
  });
  ({ url } = await server.listen(0, "127.0.0.1"));
});

afterAll(async () => {
  await server?.close();
  await upstream?.close();
  delete process.env.PROVIDER_CREDENTIAL;
  delete process.env.TEAM_ACCESS;
  rmSync(dir, { recursive: true, force: true });
});

async function complete(stream: boolean): Promise<string> {
  const reply = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${TENANT_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "m", stream, messages: [{ role: "user", content: "What is 2 + 2?" }] }),
  });
  expect(reply.status).toBe(200);
  return reply.text();
}

function traceText(): string {
  const folder = join(dir, "traces");
  return readdirSync(folder)
    .map((name) => readFileSync(join(folder, name), "utf8"))
    .join("\n");
}

describe("secrets by value and summarised upstream errors", () => {
  it("keeps an echoed provider key and an internal host name out of the response, the trace and (the key) the log", async () => {
    const body = await complete(false);
    const completion = JSON.parse(body) as {
      choices: [{ message: { content: string } }];
      pyramid: { candidates: Array<{ model: string; error?: string; answer: string | null }> };
    };
    // The member really failed with the hostile body, and the others answered with the key in their text.
    const failed = completion.pyramid.candidates.find((candidate) => candidate.model === "a");
    expect(failed?.error).toBe("HTTP 500: the provider failed");
    expect(completion.choices[0].message.content).toContain("[REDACTED]");
    expect(body).not.toContain(CREDENTIAL);
    expect(body).not.toContain(INTERNAL_HOST);
    expect(body).not.toContain("/srv/models");

    const streamed = await complete(true);
    expect(streamed).toContain("[REDACTED]");
    expect(streamed).toContain("data: [DONE]");
    expect(streamed).not.toContain(CREDENTIAL);
    expect(streamed).not.toContain(CREDENTIAL.slice(12));
    expect(streamed).not.toContain(INTERNAL_HOST);

    const trace = traceText();
    expect(trace).toContain('"error":"HTTP 500: the provider failed"');
    expect(trace).not.toContain(CREDENTIAL);
    expect(trace).not.toContain(INTERNAL_HOST);

    // The server's log keeps the whole error for the operator, with the key masked.
    const log = logLines.join("\n");
    expect(log).toContain(INTERNAL_HOST);
    expect(log).toContain("[REDACTED]");
    expect(log).not.toContain(CREDENTIAL);
    expect(log).not.toContain(TENANT_KEY);
  });

  it("masks the key in the arguments of a returned tool call", async () => {
    const reply = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${TENANT_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "m",
        messages: [{ role: "user", content: "Look it up." }],
        tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }],
      }),
    });
    expect(reply.status).toBe(200);
    const body = await reply.text();
    const completion = JSON.parse(body) as {
      choices: [{ message: { tool_calls: Array<{ function: { name: string; arguments: string } }> } }];
    };
    const [call] = completion.choices[0].message.tool_calls;
    expect(call.function.name).toBe("lookup");
    expect(JSON.parse(call.function.arguments)).toEqual({ query: "debug [REDACTED]" });
    expect(body).not.toContain(CREDENTIAL);
    expect(traceText()).toContain("tool_calls:");
    expect(traceText()).not.toContain(CREDENTIAL);
  });
});
