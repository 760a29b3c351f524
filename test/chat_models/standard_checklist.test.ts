import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  AIMessage,
  AIMessageChunk,
  HumanMessage,
  SystemMessage,
  ToolMessage,
  getBufferString,
} from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import { InMemoryCache } from "@langchain/core/caches";
import { RunnableLambda } from "@langchain/core/runnables";
import { tool } from "@langchain/core/tools";
import type { StreamEvent } from "@langchain/core/tracers/log_stream";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

/**
 * LangChain's standard chat-model checklist (langchain-ai/langchainjs internal/standard-tests: what it checks, in
 * our own tests), walked against a pyramid whose crowd answers and one whose apex answers. The members are scripted
 * chat models that answer like a model would: text, a call of the first bound tool, or text after a tool result.
 * The items that need a provider's wire format (few-shot tool histories, nested tool schemas, each tool_choice and
 * structured-output method, stop, abort) run against real provider classes in provider_matrix.test.ts.
 */

type Kind = "crowd" | "apex";

/** The arguments a member puts in its tool call: the agreed ones, or (crowd of the "apex" pyramid) its own. */
function toolArgs(kind: Kind, member: number, isApex: boolean): { a: number; b: number } {
  return kind === "crowd" || isApex ? { a: 1, b: 2 } : { a: 10 + member, b: member };
}

function toolName(tools: readonly BindToolsInput[]): string | undefined {
  const first = tools[0] as { name?: string; function?: { name?: string } } | undefined;
  return first?.name ?? first?.function?.name;
}

function member(kind: Kind, index: number, isApex: boolean, parallel = false): ScriptedChatModel {
  const name = isApex ? "apex" : `crowd-${index}`;
  return new ScriptedChatModel({
    name,
    reply: (messages: BaseMessage[], tools: BindToolsInput[]) => {
      const last = messages[messages.length - 1];
      const named = toolName(tools);
      if (ToolMessage.isInstance(last))
        return kind === "crowd" || isApex ? `The sum is ${String(last.content)}.` : `Maybe ${index}.`;
      if (named) {
        const args = toolArgs(kind, index, isApex);
        const calls = [{ name: named, args, id: `${name}-1`, type: "tool_call" as const }];
        if (parallel)
          calls.push({
            name: named,
            args: { a: args.a + 1, b: args.b + 1 },
            id: `${name}-2`,
            type: "tool_call" as const,
          });
        return new AIMessage({ content: "", tool_calls: calls });
      }
      return kind === "crowd" || isApex ? "Hello! The answer is 3." : `I think ${index}.`;
    },
  });
}

function pyramid(kind: Kind, extra: Record<string, unknown> = {}, parallel = false): PyramidChatModel {
  return new PyramidChatModel({
    crowd: [0, 1, 2].map((i) => member(kind, i, false, parallel)),
    oracle: member(kind, 0, true, parallel),
    ...extra,
  });
}

const trace = (message: BaseMessage): PyramidMetadata =>
  (message.response_metadata as { pyramid: PyramidMetadata }).pyramid;
const expectedTier = (kind: Kind) => (kind === "crowd" ? "crowd" : "oracle");

const adder = tool(async ({ a, b }: { a: number; b: number }) => String(a + b), {
  name: "math_addition",
  description: "Adds a and b",
  schema: z.object({ a: z.number(), b: z.number() }),
});
const openAITool = {
  type: "function" as const,
  function: {
    name: "math_addition",
    description: "Adds a and b",
    parameters: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
  },
};

async function collect(stream: AsyncIterable<AIMessageChunk>): Promise<AIMessageChunk[]> {
  const chunks: AIMessageChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}
const merge = (chunks: AIMessageChunk[]) => chunks.reduce((a, b) => a.concat(b));

describe.each(["crowd", "apex"] as const)("standard checklist, the %s answers", (kind) => {
  it("init: plain, with cache and streaming flags; bindTools and withStructuredOutput exist", () => {
    expect(pyramid(kind)).toBeInstanceOf(PyramidChatModel);
    expect(pyramid(kind, { cache: true, streaming: true })).toBeInstanceOf(PyramidChatModel);
    expect(pyramid(kind).bindTools([adder])).toBeDefined();
    expect(pyramid(kind).withStructuredOutput(z.object({ a: z.number() }))).toBeDefined();
  });

  it("invoke: an AIMessageChunk with text, answered by the expected tier", async () => {
    const result = await pyramid(kind).invoke("Hello");
    expect(result).toBeInstanceOf(AIMessageChunk);
    expect(result.text).toBe("Hello! The answer is 3.");
    expect(trace(result).tierName).toBe(expectedTier(kind));
  });

  it("stream: AIMessageChunks with string content that add up to the answer", async () => {
    const chunks = await collect(await pyramid(kind).stream("Hello"));
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunk).toBeInstanceOf(AIMessageChunk);
      expect(typeof chunk.content).toBe("string");
    }
    expect(merge(chunks).content).toBe("Hello! The answer is 3.");
  });

  it("batch: one answer per input", async () => {
    const results = await pyramid(kind).batch(["Hello", "Hi"]);
    expect(results).toHaveLength(2);
    for (const result of results) expect(result.text.length).toBeGreaterThan(0);
  });

  it("conversation and back-to-back messages of the same role", async () => {
    const model = pyramid(kind);
    const conversation = [new HumanMessage("hello"), new AIMessage("Hello!"), new HumanMessage("how are you")];
    expect((await model.invoke(conversation)).text.length).toBeGreaterThan(0);
    const doubled = [
      new SystemMessage("Be brief."),
      new HumanMessage("hello"),
      new HumanMessage("hello again"),
      new AIMessage("hi"),
      new AIMessage("hi again"),
      new HumanMessage("how are you"),
    ];
    expect((await model.invoke(doubled)).text.length).toBeGreaterThan(0);
  });

  it("usage metadata, invoke and stream: input, output and total tokens (summed over every member call)", async () => {
    const calls = kind === "crowd" ? 3 : 4;
    const invoked = await pyramid(kind).invoke("Hello");
    expect(invoked.usage_metadata).toMatchObject({ input_tokens: 10 * calls });
    expect(invoked.usage_metadata?.output_tokens).toBeGreaterThan(0);
    expect(invoked.usage_metadata?.total_tokens).toBe(
      (invoked.usage_metadata?.input_tokens ?? 0) + (invoked.usage_metadata?.output_tokens ?? 0),
    );
    const streamed = merge(await collect(await pyramid(kind).stream("Hello")));
    const { input_tokens, output_tokens, total_tokens } = invoked.usage_metadata ?? {};
    expect(streamed.usage_metadata).toMatchObject({ input_tokens, output_tokens, total_tokens });
  });

  it("stop sequence: as a call option and bound with withConfig", async () => {
    expect((await pyramid(kind).invoke("Hello", { stop: ["\n"] })).text.length).toBeGreaterThan(0);
    expect(
      (
        await pyramid(kind)
          .withConfig({ stop: ["\n"] })
          .invoke("Hello")
      ).text.length,
    ).toBeGreaterThan(0);
  });

  it("tool calling: a LangChain tool, an OpenAI-format tool, a RunnableToolLike and StructuredToolParams", async () => {
    const runnableTool = RunnableLambda.from(async (input: { a: number; b: number }) =>
      String(input.a + input.b),
    ).asTool({
      name: "math_addition",
      description: "Adds a and b",
      schema: z.object({ a: z.number(), b: z.number() }),
    });
    const params = {
      name: "math_addition",
      description: "Adds a and b",
      schema: z.object({ a: z.number(), b: z.number() }),
    };
    for (const bound of [adder, openAITool, runnableTool, params]) {
      const result = await pyramid(kind).bindTools([bound]).invoke("What is 1 + 2?");
      expect(result.tool_calls?.[0]).toMatchObject({ name: "math_addition", args: { a: 1, b: 2 } });
      expect(trace(result).tierName).toBe(expectedTier(kind));
    }
  });

  it("tool message histories with string and list content; the model uses the tool result", async () => {
    const call = { name: "math_addition", args: { a: 1, b: 2 }, id: "call-1", type: "tool_call" as const };
    const histories: BaseMessage[][] = [
      [
        new HumanMessage("What is 1 + 2?"),
        new AIMessage({ content: "", tool_calls: [call] }),
        new ToolMessage({ content: "3", tool_call_id: "call-1" }),
      ],
      [
        new HumanMessage("What is 1 + 2?"),
        new AIMessage({ content: [{ type: "text", text: "Let me add." }], tool_calls: [call] }),
        new ToolMessage({ content: [{ type: "text", text: "3" }], tool_call_id: "call-1" }),
      ],
    ];
    for (const history of histories) {
      const result = await pyramid(kind).bindTools([adder]).invoke(history);
      expect(result.text).toMatch(/^The sum is /);
    }
  });

  it("parallel tool calls are kept, in order", async () => {
    const result = await pyramid(kind, {}, true).bindTools([adder]).invoke("Add 1+2 and 2+3");
    expect(result.tool_calls?.map((c) => c.args)).toEqual([
      { a: 1, b: 2 },
      { a: 2, b: 3 },
    ]);
  });

  it("streamed tool calls, with usage", async () => {
    const merged = merge(await collect(await pyramid(kind).bindTools([adder]).stream("What is 1 + 2?")));
    expect(merged.tool_calls?.[0]).toMatchObject({ name: "math_addition", args: { a: 1, b: 2 } });
    expect(merged.usage_metadata?.input_tokens).toBeGreaterThan(0);
    expect(merged.usage_metadata?.output_tokens).toBeGreaterThan(0);
  });

  it("structured output, with and without includeRaw", async () => {
    const schema = z.object({ a: z.number(), b: z.number() });
    expect(await pyramid(kind).withStructuredOutput(schema).invoke("1 + 2?")).toEqual({ a: 1, b: 2 });
    const raw = await pyramid(kind).withStructuredOutput(schema, { includeRaw: true }).invoke("1 + 2?");
    expect(raw.parsed).toEqual({ a: 1, b: 2 });
    expect(raw.raw).toBeInstanceOf(AIMessageChunk);
  });

  it("standard content blocks (text, image) reach every member unchanged", async () => {
    const prompts: BaseMessage[][] = [];
    const model = new PyramidChatModel({
      crowd: [0, 1, 2].map((i) => {
        const m = member(kind, i, false);
        return new ScriptedChatModel({ ...m.fields, calls: prompts });
      }),
      oracle: member(kind, 0, true),
    });
    const content = [
      { type: "text" as const, text: "Describe this image." },
      { type: "image" as const, source_type: "base64" as const, mime_type: "image/png", data: "iVBORw0KGgo=" },
    ];
    expect((await model.invoke([new HumanMessage({ content })])).text.length).toBeGreaterThan(0);
    expect(prompts[0][0].content).toEqual(content);
  });

  it("abort: an aborted signal fails invoke and ends stream", async () => {
    await expect(pyramid(kind).invoke("Hello", { signal: AbortSignal.abort() })).rejects.toThrow();
    let chunks = 0;
    let caught: unknown;
    try {
      for await (const _ of await pyramid(kind).stream("Hello", { signal: AbortSignal.abort() })) chunks++;
    } catch (error) {
      caught = error;
    }
    // The stream rejects with the abort and yields nothing (an error-free empty stream would hide the abort).
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).name).toBe("AbortError");
    expect(chunks).toBe(0);
  });

  it("LangSmith params: provider, model name (the apex), type, stop", () => {
    expect(pyramid(kind).getLsParams({ stop: ["x"] } as never)).toMatchObject({
      ls_provider: "pyramid-moa",
      ls_model_name: "apex",
      ls_model_type: "chat",
      ls_stop: ["x"],
    });
  });

  it("caching complex message types: one cached generation, a hit returns it", async () => {
    const model = pyramid(kind, { cache: new InMemoryCache() });
    const message = new HumanMessage({ content: [{ type: "text", text: "Hello there!" }] });
    const prompt = getBufferString([message]);
    const llmKey = model._getSerializedCacheKeyParametersForCall({} as never);
    await model.invoke([message]);
    const cached = await model.cache?.lookup(prompt, llmKey);
    expect(cached).toHaveLength(1);
    const again = await model.invoke([message]);
    expect(again.content).toEqual((cached![0] as unknown as { message: BaseMessage }).message.content);
    expect(await model.cache?.lookup(prompt, llmKey)).toEqual(cached);
  });

  it("streamEvents v2: starts and ends with the pyramid's run; its stream events add up to its output", async () => {
    const events: StreamEvent[] = [];
    for await (const event of pyramid(kind).streamEvents("Hello", { version: "v2" })) events.push(event);
    expect(events[0].event).toBe("on_chat_model_start");
    expect(events.at(-1)?.event).toBe("on_chat_model_end");
    // Member runs interleave (they are children); the pyramid's own events are those with its run id.
    const own = events.filter((e) => e.run_id === events[0].run_id);
    expect(own.length).toBeGreaterThanOrEqual(3);
    const text = own
      .filter((e) => e.event === "on_chat_model_stream")
      .map((e) => (e.data.chunk as AIMessageChunk).text)
      .join("");
    expect(text).toBe((events.at(-1)!.data.output as AIMessageChunk).text);
  });
});
