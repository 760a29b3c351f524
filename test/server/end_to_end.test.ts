import { afterAll, beforeAll, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { pyramidFromConfig } from "../../src/config/index.js";
import type { PyramidConfigInput } from "../../src/config/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import type { PyramidServer } from "../../src/server/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";

// The whole chain over real HTTP: openai client -> pyramid server -> PyramidChatModel built from a config
// -> ChatOpenAI members -> a local OpenAI-compatible server (with logprobs) on 127.0.0.1.
describe("pyramid server end to end: config members are ChatOpenAI clients of a local OpenAI-compatible server", () => {
  let upstream: OpenAITestServer;
  let pyramidServer: PyramidServer;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startOpenAITestServer({
      models: {
        "crowd-a": (request) =>
          request.tools
            ? { toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] }
            : { content: JSON.stringify(request.messages).includes("split") ? "It is 5." : "The answer is 18." },
        "crowd-b": (request) =>
          request.tools
            ? { toolCalls: [{ name: "add", arguments: { b: 3, a: 2 } }] }
            : { content: JSON.stringify(request.messages).includes("split") ? "It is 6." : "So 18 dollars." },
        "crowd-c": (request) =>
          request.tools
            ? { toolCalls: [{ name: "add", arguments: { a: 2, b: 3 } }] }
            : { content: JSON.stringify(request.messages).includes("split") ? "It is 7." : "18" },
        "oracle-70b": () => ({ content: "The Oracle says 7.", chunkDelayMs: 1 }),
      },
    });
    process.env.PYRAMID_E2E_ORACLE_KEY = "e2e-secret";
    const config: PyramidConfigInput = {
      tiers: [
        {
          name: "crowd",
          members: ["crowd-a", "crowd-b", "crowd-c"].map((model) => ({
            provider: "openai" as const,
            model,
            baseURL: upstream.baseURL,
            price: { input: 0.1, output: 0.1 },
          })),
        },
        {
          name: "oracle",
          members: [
            {
              provider: "openai",
              model: "oracle-70b",
              baseURL: upstream.baseURL,
              apiKeyEnv: "PYRAMID_E2E_ORACLE_KEY",
              price: { input: 1, output: 1 },
            },
          ],
        },
      ],
      task: "math",
      policy: { threshold: 0.5 },
    };
    const model = await pyramidFromConfig(config);
    pyramidServer = createPyramidServer({ model, token: "tok" });
    const { url } = await pyramidServer.listen(0, "127.0.0.1");
    client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "tok", maxRetries: 0 });
  });

  afterAll(async () => {
    await pyramidServer?.close();
    await upstream?.close();
    delete process.env.PYRAMID_E2E_ORACLE_KEY;
  });

  it("answers from the crowd with real log-probability features, and escalates a split crowd", async () => {
    const agreed = await client.chat.completions.create({
      model: "pyramid-moa",
      messages: [{ role: "user", content: "Janet's ducks?" }],
    });
    expect(agreed.choices[0].message.content).toBe("The answer is 18.");
    const trace = (agreed as unknown as { pyramid: PyramidMetadata }).pyramid;
    expect(trace.escalated).toBe(false);
    expect(trace.candidates.map((c) => c.answer)).toEqual(["18", "18", "18"]);
    expect(typeof trace.features.avg_logprob_0).toBe("number");
    expect(trace.features.avg_logprob_0).toBeLessThan(0);
    const crowdCalls = upstream.chatRequests().filter((r) => r.body?.model.startsWith("crowd"));
    expect(crowdCalls).toHaveLength(3);
    expect(crowdCalls.every((r) => r.body?.logprobs === true)).toBe(true);
    expect(agreed.usage?.prompt_tokens).toBeGreaterThan(0);

    const split = await client.chat.completions.create({
      model: "pyramid-moa",
      messages: [{ role: "user", content: "a split question" }],
    });
    expect(split.choices[0].message.content).toBe("The Oracle says 7.");
    const oracleCall = upstream.chatRequests().find((r) => r.body?.model === "oracle-70b");
    expect(oracleCall?.headers.authorization).toBe("Bearer e2e-secret");
    expect((split as unknown as { pyramid: PyramidMetadata }).pyramid.tierName).toBe("oracle");
  });

  it("streams the escalated Oracle's tokens through both servers", async () => {
    const stream = await client.chat.completions.create({
      model: "pyramid-moa",
      messages: [{ role: "user", content: "another split question" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let contentChunks = 0;
    let usage: OpenAI.CompletionUsage | undefined | null;
    let trace: PyramidMetadata | undefined;
    for await (const part of stream) {
      const piece = part.choices[0]?.delta.content ?? "";
      if (piece) contentChunks++;
      text += piece;
      usage = part.usage ?? usage;
      trace ??= (part as unknown as { pyramid?: PyramidMetadata }).pyramid;
    }
    expect(text).toBe("The Oracle says 7.");
    expect(contentChunks).toBe(4);
    expect(trace?.escalated).toBe(true);
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it("forwards tools to every member over HTTP and returns the crowd's voted tool call", async () => {
    const before = upstream.chatRequests().length;
    const completion = await client.chat.completions.create({
      model: "pyramid-moa",
      messages: [{ role: "user", content: "What is 2 + 3? Use the tool." }],
      tools: [
        {
          type: "function",
          function: {
            name: "add",
            parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } } },
          },
        },
      ],
    });
    const choice = completion.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe("add");
    expect(JSON.parse(call.function.arguments)).toEqual({ a: 2, b: 3 });
    const sent = upstream.chatRequests().slice(before);
    expect(sent.map((r) => r.body?.model).sort()).toEqual(["crowd-a", "crowd-b", "crowd-c"]);
    expect(
      sent.every(
        (r) => (r.body?.tools as Array<{ function: { name: string } }> | undefined)?.[0]?.function.name === "add",
      ),
    ).toBe(true);
    expect((completion as unknown as { pyramid: PyramidMetadata }).pyramid.escalated).toBe(false);
  });
});
