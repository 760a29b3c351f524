import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import type { AIMessageChunk } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { openAIMember } from "../helpers/openai_members.js";

// Point 6 of issue #13: a tool call cut off by maxTokens is the same streamed and not.

let server: OpenAITestServer;

// ChatOpenAI's own message builder warns ("New LangChain packages are available ...") when a response's only tool
// call has arguments that do not parse, which these tests provoke on purpose: that one message is kept off stderr.
const LANGCHAIN_RAW_TOOL_CALLS_WARNING = "New LangChain packages are available";
const warnings: string[] = [];
beforeAll(() => {
  const warn = console.warn.bind(console);
  vi.spyOn(console, "warn").mockImplementation((...args: unknown[]) => {
    if (String(args[0]).startsWith(LANGCHAIN_RAW_TOOL_CALLS_WARNING)) warnings.push(String(args[0]));
    else warn(...args);
  });
});
afterAll(() => {
  vi.restoreAllMocks();
});

beforeAll(async () => {
  server = await startOpenAITestServer({
    models: {
      "add-12": () => ({ toolCalls: [{ name: "add", arguments: { a: 1, b: 2 } }] }),
      "add-55": () => ({ toolCalls: [{ name: "add", arguments: { a: 5, b: 5 } }] }),
      // max_tokens reached in the middle of the arguments.
      cut: () => ({ toolCalls: [{ name: "add", arguments: '{"a": 1, "b' }], finishReason: "length" }),
    },
  });
});

afterAll(async () => {
  await server.close();
});

const add = tool(async ({ a, b }: { a: number; b: number }) => String(a + b), {
  name: "add",
  description: "Adds two numbers",
  schema: z.object({ a: z.number(), b: z.number() }),
});

function pyramid() {
  return new PyramidChatModel({
    crowd: [openAIMember(server, "add-12"), openAIMember(server, "add-55"), openAIMember(server, "cut")],
    oracle: openAIMember(server, "cut", { maxTokens: 8 }),
  }).bindTools([add]);
}

function check(trace: PyramidMetadata): void {
  // The cut-off calls are failed candidates (the vote ignores them); the apex failed, so the crowd's call is kept.
  expect(trace.candidates.map((c) => c.invalid ?? null)).toEqual([
    null,
    null,
    "invalid tool call (arguments are not valid JSON): add",
    "invalid tool call (arguments are not valid JSON): add",
  ]);
  expect(trace.candidates[2].answer).toBeNull();
  expect(trace.degraded).toBe(true);
  expect(trace.tierName).toBe("crowd");
}

describe("a tool call cut off by maxTokens", () => {
  it("invoke: an invalid candidate, the vote ignores it, the crowd's valid call is returned (degraded)", async () => {
    const answer = await pyramid().invoke("1+2?");
    expect(answer.tool_calls?.map((call) => call.args)).toEqual([{ a: 1, b: 2 }]);
    expect(answer.invalid_tool_calls ?? []).toEqual([]);
    check(answer.response_metadata.pyramid as PyramidMetadata);
  });

  it("stream: the same answer, and no chunk ever carries arguments that are not valid JSON", async () => {
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await pyramid().stream("1+2?")) chunks.push(chunk);
    for (const chunk of chunks) {
      for (const piece of chunk.tool_call_chunks ?? []) expect(() => JSON.parse(piece.args ?? "")).not.toThrow();
    }
    const merged = chunks.reduce((a, b) => a.concat(b));
    expect(merged.tool_calls?.map((call) => call.args)).toEqual([{ a: 1, b: 2 }]);
    expect(merged.invalid_tool_calls ?? []).toEqual([]);
    check(merged.response_metadata.pyramid as PyramidMetadata);
  });
});
