import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { extractTokenLogprobEntries, extractTokenLogprobs } from "../../src/core/logprobs.js";
import { createOpenAICompatibleChatModel } from "../../src/engines/openai/index.js";
import { PyramidConfigError } from "../../src/errors/index.js";
import { startOpenAITestServer, type OpenAITestServer } from "../helpers/openai_server.js";

const KEY_ENV = "PYRAMID_TEST_OPENAI_KEY";
const SECRET = "sk-test-very-secret-4242";

let server: OpenAITestServer;
let flakyCalls = 0;

beforeAll(async () => {
  process.env[KEY_ENV] = SECRET;
  server = await startOpenAITestServer({
    requireApiKey: SECRET,
    models: {
      echo: (request) => {
        const last = request.messages.at(-1);
        return { content: `You said: ${String(last?.content)}`, logprobs: undefined };
      },
      fixed: () => ({
        content: "The answer is 42",
        tokens: ["The", " answer", " is", " 42"],
        logprobs: [-0.01, -0.2, -0.05, -1.25],
      }),
      broken: () => ({ error: { status: 500, message: "The server had an error while processing your request." } }),
      slow: () => ({ content: "late", delayMs: 3_000 }),
      flaky: () =>
        ++flakyCalls % 2 === 1
          ? {
              error: {
                status: 429,
                message: "Rate limit reached.",
                type: "requests",
                code: "rate_limit_exceeded",
                retryAfterMs: 5,
              },
            }
          : { content: "ok now" },
      tools: () => ({ toolCalls: [{ name: "calculator", arguments: { a: 6, b: 7 } }] }),
    },
  });
});

afterAll(async () => {
  await server.close();
  delete process.env[KEY_ENV];
});

function chat(model: string, extra: Record<string, unknown> = {}) {
  return createOpenAICompatibleChatModel({
    baseURL: server.baseURL,
    model,
    apiKeyEnv: KEY_ENV,
    maxRetries: 0,
    timeoutMs: 5_000,
    ...extra,
  });
}

describe("createOpenAICompatibleChatModel against a local OpenAI-compatible server", () => {
  it("invokes with log-probabilities, usage and the key as bearer", async () => {
    const before = server.chatRequests().length;
    const answer = await chat("fixed").invoke([new HumanMessage("What is six times seven?")]);
    expect(answer.content).toBe("The answer is 42");
    expect(extractTokenLogprobs(answer)).toEqual([-0.01, -0.2, -0.05, -1.25]);
    const entries = extractTokenLogprobEntries(answer)!;
    expect(entries.map((e) => e.token).join("")).toBe("The answer is 42");
    expect(entries[0]!.top_logprobs).toHaveLength(5);
    expect(answer.usage_metadata?.output_tokens).toBe(4);
    expect(answer.usage_metadata?.input_tokens).toBeGreaterThan(0);

    const request = server.chatRequests()[before]!;
    expect(request.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(request.body?.logprobs).toBe(true);
    expect(request.body?.top_logprobs).toBe(5);
    expect(request.body?.model).toBe("fixed");
  });

  it("streams chunks whose logprobs concatenate", async () => {
    const chunks = [];
    for await (const chunk of await chat("fixed").stream("Say it")) chunks.push(chunk);
    const merged = chunks.slice(1).reduce((acc, c) => acc.concat(c), chunks[0]!);
    expect(merged.content).toBe("The answer is 42");
    expect(extractTokenLogprobs(merged)).toEqual([-0.01, -0.2, -0.05, -1.25]);
    expect(merged.usage_metadata?.output_tokens).toBe(4);
    expect(server.chatRequests().at(-1)?.body?.stream).toBe(true);
  });

  it("returns tool calls", async () => {
    const calculator = tool(async ({ a, b }) => String(a * b), {
      name: "calculator",
      description: "Multiplies two numbers",
      schema: z.object({ a: z.number(), b: z.number() }),
    });
    const answer = await chat("tools").bindTools([calculator]).invoke("6 times 7?");
    expect(answer.tool_calls).toEqual([expect.objectContaining({ name: "calculator", args: { a: 6, b: 7 } })]);
    expect(server.chatRequests().at(-1)?.body?.tools).toHaveLength(1);
  });

  it("surfaces a 500 error without the API key in the message", async () => {
    let caught: unknown;
    try {
      await chat("broken").invoke("hello");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    const error = caught as Error & { status?: number };
    expect(error.message).toMatch(/500|server had an error/i);
    expect(error.message).not.toContain(SECRET);
    expect(String(error.stack)).not.toContain(SECRET);
  });

  it("retries a 429 when retries are allowed", async () => {
    const before = server.chatRequests().length;
    const answer = await chat("flaky", { maxRetries: 2 }).invoke("hello");
    expect(answer.content).toBe("ok now");
    expect(server.chatRequests().length - before).toBe(2);
  });

  it("gives up on a slow response at the timeout", async () => {
    let caught: unknown;
    try {
      await chat("slow", { timeoutMs: 200 }).invoke("hello");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toMatch(/time/i);
    expect((caught as Error).message).not.toContain(SECRET);
  });

  it("never serializes the API key and rejects bad options by field", async () => {
    const model = chat("echo");
    expect(JSON.stringify(model.toJSON())).not.toContain(SECRET);
    const answer = await model.invoke("ping");
    expect(answer.content).toBe("You said: ping");

    const expectField = (options: Record<string, unknown>, field: string): void => {
      let caught: unknown;
      try {
        createOpenAICompatibleChatModel({ baseURL: server.baseURL, model: "echo", ...options } as never);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PyramidConfigError);
      expect((caught as PyramidConfigError).field).toBe(field);
      expect((caught as Error).message).not.toContain(SECRET);
    };
    expectField({ baseURL: "not a url" }, "openai.baseURL");
    expectField({ baseURL: "ftp://example.com/v1" }, "openai.baseURL");
    expectField({ model: "" }, "openai.model");
    expectField({ apiKeyEnv: SECRET }, "openai.apiKeyEnv");
    expectField({ apiKeyEnv: "PYRAMID_TEST_UNSET_VARIABLE" }, "openai.apiKeyEnv");
    expectField({ topLogprobs: 50 }, "openai.topLogprobs");
    expectField({ timeoutMs: 0 }, "openai.timeoutMs");
  });

  it("lists models and rejects a wrong key", async () => {
    const response = await fetch(`${server.baseURL}/models`, { headers: { authorization: `Bearer ${SECRET}` } });
    const body = (await response.json()) as { data: Array<{ id: string }> };
    expect(body.data.map((m) => m.id)).toContain("fixed");
    const denied = await fetch(`${server.baseURL}/models`, { headers: { authorization: "Bearer wrong" } });
    expect(denied.status).toBe(401);
  });
});
