import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AIMessage, AIMessageChunk, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { ChatCompletionRequest, OpenAITestServer, ScriptedReply } from "../helpers/openai_server.js";
import { openAIMember, requestsOf } from "../helpers/openai_members.js";

/**
 * A pyramid whose apex does not stream (`ChatOpenAI({ disableStreaming: true })`) inside a streamed run keeps
 * everything invoke keeps: the apex's tool calls (as tool-call chunks in the stream), its real usage and metadata.
 */

let server: OpenAITestServer;

/** Crowd members disagree on the tool's arguments (so the query climbs); the apex calls it with the right ones. */
function reply(args: { a: number; b: number }) {
  return (request: ChatCompletionRequest): ScriptedReply => {
    const last = request.messages[request.messages.length - 1];
    if (last.role === "tool") return { content: `The product is ${String(last.content)}.`, promptTokens: 40 };
    return { toolCalls: [{ id: `call_${args.a}_${args.b}`, name: "multiply", arguments: args }], promptTokens: 30 };
  };
}

beforeAll(async () => {
  server = await startOpenAITestServer({
    models: {
      "small-0": reply({ a: 1, b: 2 }),
      "small-1": reply({ a: 3, b: 4 }),
      "small-2": reply({ a: 5, b: 6 }),
      apex: reply({ a: 17, b: 23 }),
    },
  });
});

afterAll(async () => {
  await server.close();
});

const multiply = tool(async ({ a, b }: { a: number; b: number }) => String(a * b), {
  name: "multiply",
  description: "Multiply two numbers",
  schema: z.object({ a: z.number(), b: z.number() }),
});

function pyramid(): PyramidChatModel {
  return new PyramidChatModel({
    crowd: [0, 1, 2].map((i) => openAIMember(server, `small-${i}`)),
    oracle: openAIMember(server, "apex", { disableStreaming: true }),
    task: "math",
  });
}

const pyramidOf = (message: BaseMessage) => (message.response_metadata as { pyramid: PyramidMetadata }).pyramid;

describe("a streamed pyramid whose apex does not stream", () => {
  it("streams the apex's tool call with the usage and metadata invoke returns", async () => {
    const bound = pyramid().bindTools([multiply]);
    const invoked = await bound.invoke("What is 17 times 23?");
    let merged: AIMessageChunk | undefined;
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await bound.stream("What is 17 times 23?")) {
      chunks.push(chunk);
      merged = merged ? merged.concat(chunk) : chunk;
    }
    if (!merged) throw new Error("empty stream");
    expect(pyramidOf(invoked).tierName).toBe("oracle");
    expect(pyramidOf(merged).tierName).toBe("oracle");
    expect(invoked.tool_calls).toEqual([expect.objectContaining({ name: "multiply", args: { a: 17, b: 23 } })]);
    expect(merged.tool_calls).toEqual(invoked.tool_calls);
    // The call reaches the stream as tool-call chunks (what LangGraph's "messages" mode shows).
    expect(chunks.some((chunk) => (chunk.tool_call_chunks ?? []).some((piece) => piece.name === "multiply"))).toBe(
      true,
    );
    // The same real usage (reported by the server, not estimated from text) both ways.
    const tokens = (m: AIMessageChunk) => [m.usage_metadata?.input_tokens, m.usage_metadata?.output_tokens];
    expect(tokens(merged)).toEqual(tokens(invoked));
    expect(pyramidOf(merged).cost.tokensEstimated).toBe(false);
    expect(merged.response_metadata.model_name).toBe("apex");
    // The apex was called without streaming both times (it does not stream).
    expect(requestsOf(server, "apex").map((r) => r.stream ?? false)).toEqual([false, false]);
  });

  it('a createReactAgent streaming with streamMode ["messages", "updates"] calls its tool', async () => {
    const agent = createReactAgent({ llm: pyramid(), tools: [multiply] });
    const updates: Record<string, { messages?: BaseMessage[] }>[] = [];
    const streamed: BaseMessage[] = [];
    const stream = await agent.stream(
      { messages: [new HumanMessage("What is 17 times 23?")] },
      { streamMode: ["messages", "updates"] },
    );
    for await (const [mode, payload] of stream as AsyncIterable<[string, unknown]>) {
      if (mode === "messages") streamed.push((payload as [BaseMessage, unknown])[0]);
      else updates.push(payload as Record<string, { messages?: BaseMessage[] }>);
    }
    const updated = updates.flatMap((update) => Object.values(update).flatMap((node) => node.messages ?? []));
    const toolResult = updated.find((m) => ToolMessage.isInstance(m));
    expect(toolResult?.content).toBe("391");
    const first = updated.find((m) => AIMessage.isInstance(m) || AIMessageChunk.isInstance(m)) as AIMessage;
    expect(first.tool_calls?.[0]).toMatchObject({ name: "multiply", args: { a: 17, b: 23 } });
    expect(first.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(
      streamed.some(
        (m) => AIMessageChunk.isInstance(m) && (m.tool_call_chunks ?? []).some((c) => c.name === "multiply"),
      ),
    ).toBe(true);
    const last = updated[updated.length - 1];
    expect(last.content).toBe("The product is 391.");
  });
});
