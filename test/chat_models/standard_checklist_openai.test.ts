import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { type AIMessageChunk, HumanMessage, ToolMessage, AIMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import type { StreamEvent } from "@langchain/core/tracers/log_stream";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { ChatCompletionRequest, OpenAITestServer, ScriptedReply } from "../helpers/openai_server.js";
import { openAIMember } from "../helpers/openai_members.js";

/**
 * The standard checklist's core items with real `ChatOpenAI` members speaking HTTP to an OpenAI-protocol server:
 * a pyramid whose crowd answers (its members agree) and one whose apex answers (they disagree).
 */

let server: OpenAITestServer;

/** A member's reply: the tool call or the text of the agreed answer, or (a disagreeing member) its own. */
function reply(agree: boolean, index: number) {
  return (request: ChatCompletionRequest): ScriptedReply => {
    const last = request.messages[request.messages.length - 1];
    if (last.role === "tool") return { content: agree ? `The sum is ${String(last.content)}.` : `Maybe ${index}.` };
    if (request.tools?.length) {
      const args = agree ? { a: 1, b: 2 } : { a: 10 + index, b: index };
      return { toolCalls: [{ name: "math_addition", arguments: args }] };
    }
    return { content: agree ? "Hello! The answer is 3." : `I think ${index}.` };
  };
}

beforeAll(async () => {
  server = await startOpenAITestServer({
    models: {
      "agree-0": reply(true, 0),
      "agree-1": reply(true, 1),
      "agree-2": reply(true, 2),
      "differ-0": reply(false, 0),
      "differ-1": reply(false, 1),
      "differ-2": reply(false, 2),
      apex: reply(true, 9),
    },
  });
});

afterAll(async () => {
  await server.close();
});

const adder = tool(async ({ a, b }: { a: number; b: number }) => String(a + b), {
  name: "math_addition",
  description: "Adds a and b",
  schema: z.object({ a: z.number(), b: z.number() }),
});

function pyramid(kind: "crowd" | "apex"): PyramidChatModel {
  const prefix = kind === "crowd" ? "agree" : "differ";
  return new PyramidChatModel({
    crowd: [0, 1, 2].map((i) => openAIMember(server, `${prefix}-${i}`)),
    oracle: openAIMember(server, "apex"),
  });
}

const tierOf = (message: BaseMessage) => (message.response_metadata as { pyramid: PyramidMetadata }).pyramid.tierName;
const expected = (kind: "crowd" | "apex") => (kind === "crowd" ? "crowd" : "oracle");

async function merged(stream: AsyncIterable<AIMessageChunk>): Promise<AIMessageChunk> {
  let result: AIMessageChunk | undefined;
  for await (const chunk of stream) result = result ? result.concat(chunk) : chunk;
  if (!result) throw new Error("empty stream");
  return result;
}

describe.each(["crowd", "apex"] as const)("standard checklist with ChatOpenAI members, the %s answers", (kind) => {
  it("invoke and stream: the same text, real usage from every call", async () => {
    const invoked = await pyramid(kind).invoke("Hello");
    expect(invoked.text).toBe("Hello! The answer is 3.");
    expect(tierOf(invoked)).toBe(expected(kind));
    const streamed = await merged(await pyramid(kind).stream("Hello"));
    expect(streamed.text).toBe(invoked.text);
    expect(streamed.usage_metadata?.input_tokens).toBe(invoked.usage_metadata?.input_tokens);
    expect(invoked.usage_metadata?.output_tokens).toBeGreaterThan(0);
  });

  it("tool calling, invoked and streamed, then the answer from the tool result", async () => {
    const model = pyramid(kind).bindTools([adder]);
    const call = await model.invoke("What is 1 + 2?");
    expect(call.tool_calls?.[0]).toMatchObject({ name: "math_addition", args: { a: 1, b: 2 } });
    const streamed = await merged(await model.stream("What is 1 + 2?"));
    expect(streamed.tool_calls?.[0]).toMatchObject({ name: "math_addition", args: { a: 1, b: 2 } });
    const history = [
      new HumanMessage("What is 1 + 2?"),
      new AIMessage({
        content: "",
        tool_calls: [{ name: "math_addition", args: { a: 1, b: 2 }, id: "c1", type: "tool_call" }],
      }),
      new ToolMessage({ content: "3", tool_call_id: "c1" }),
    ];
    expect((await model.invoke(history)).text).toBe("The sum is 3.");
  });

  it("structured output with includeRaw", async () => {
    const result = await pyramid(kind)
      .withStructuredOutput(z.object({ a: z.number(), b: z.number() }), { name: "math_addition", includeRaw: true })
      .invoke("1 + 2?");
    expect(result.parsed).toEqual({ a: 1, b: 2 });
    expect(tierOf(result.raw)).toBe(expected(kind));
  });

  it("streamEvents v2: the pyramid's stream events add up to its output", async () => {
    const events: StreamEvent[] = [];
    for await (const event of pyramid(kind).streamEvents("Hello", { version: "v2" })) events.push(event);
    const own = events.filter((e) => e.run_id === events[0].run_id);
    const text = own
      .filter((e) => e.event === "on_chat_model_stream")
      .map((e) => (e.data.chunk as AIMessageChunk).text)
      .join("");
    expect(text).toBe("Hello! The answer is 3.");
    expect((own.at(-1)!.data.output as AIMessageChunk).text).toBe(text);
  });
});
