import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AIMessage, type AIMessageChunk, HumanMessage, ToolMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { Serialized } from "@langchain/core/load/serializable";
import { createReactAgent } from "@langchain/langgraph/prebuilt";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

const meta = (message: { response_metadata: Record<string, unknown> }): PyramidMetadata =>
  message.response_metadata.pyramid as PyramidMetadata;

const scripted = (name: string, reply: ConstructorParameters<typeof ScriptedChatModel>[0]["reply"], delayMs = 0) =>
  new ScriptedChatModel({ name, reply, delayMs });

describe("PyramidChatModel: the LangChain chat model contract", () => {
  it("streams the crowd's answer as chunks, with usage and metadata on the aggregate", async () => {
    const oracle = scripted("big", "never called");
    const model = new PyramidChatModel({
      crowd: [scripted("a", "The final answer is 12 apples."), scripted("b", "12"), scripted("c", "answer: 12")],
      oracle,
      task: "math",
    });
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await model.stream("How many apples?")) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(2);
    const merged = chunks.reduce((a, b) => a.concat(b));
    expect(merged.content).toBe("The final answer is 12 apples.");
    expect(merged.usage_metadata?.total_tokens).toBeGreaterThan(0);
    expect(meta(merged).escalated).toBe(false);
    expect(oracle.calls).toHaveLength(0);
  });

  it("streams the Oracle's own tokens when the query is escalated", async () => {
    const oracle = scripted("big", "Let me think step by step. The answer is 30.", 0);
    const model = new PyramidChatModel({
      crowd: [scripted("a", "1"), scripted("b", "2"), scripted("c", "3")],
      oracle,
      task: "math",
    });
    const texts: string[] = [];
    let merged: AIMessageChunk | undefined;
    for await (const chunk of await model.stream("?")) {
      if (typeof chunk.content === "string" && chunk.content) texts.push(chunk.content);
      merged = merged ? merged.concat(chunk) : chunk;
    }
    // The scripted Oracle streams word by word: the pyramid forwards each of its chunks.
    expect(texts).toEqual(["Let ", "me ", "think ", "step ", "by ", "step. ", "The ", "answer ", "is ", "30."]);
    expect(meta(merged as AIMessageChunk).tierName).toBe("oracle");
    // Usage is counted once: 4 calls x 10 input tokens.
    expect(merged?.usage_metadata?.input_tokens).toBe(40);
  });

  it("batches several queries", async () => {
    const echo = (messages: BaseMessage[]) => `answer ${String(messages[messages.length - 1].content).length}`;
    const model = new PyramidChatModel({
      crowd: [scripted("a", echo), scripted("b", echo), scripted("c", echo)],
      oracle: scripted("big", "x"),
      task: "math",
    });
    const results = await model.batch(["a", "bb", "ccc"]);
    expect(results.map((r) => r.content)).toEqual(["answer 1", "answer 2", "answer 3"]);
  });

  it("aborts every in-flight member call", async () => {
    const members = [scripted("a", "1", 5_000), scripted("b", "1", 5_000), scripted("c", "1", 5_000)];
    const model = new PyramidChatModel({ crowd: members, oracle: scripted("big", "x") });
    const controller = new AbortController();
    const pending = model.invoke("?", { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow(/abort/i);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(members.map((m) => m.aborted)).toEqual([1, 1, 1]);
  });

  it("votes tool calls and escalates when members call tools differently", async () => {
    const call = (name: string, args: Record<string, unknown>, id: string) =>
      new AIMessage({ content: "", tool_calls: [{ name, args, id, type: "tool_call" }] });
    const weather = tool(async ({ city }: { city: string }) => `sunny in ${city}`, {
      name: "weather",
      description: "Weather of a city",
      schema: z.object({ city: z.string() }),
    });
    const agree = new PyramidChatModel({
      crowd: [
        scripted("a", () => call("weather", { city: "Paris" }, "1")),
        scripted("b", () => call("weather", { city: "Paris" }, "2")),
        scripted("c", () => call("weather", { city: "Rome" }, "3")),
      ],
      oracle: scripted("big", () => call("weather", { city: "Oslo" }, "4")),
    }).bindTools([weather]);
    const agreed = await agree.invoke("Weather in Paris?");
    expect((agreed as AIMessage).tool_calls?.[0]).toMatchObject({ name: "weather", args: { city: "Paris" } });
    expect(meta(agreed as AIMessage).escalated).toBe(false);

    const split = new PyramidChatModel({
      crowd: [
        scripted("a", () => call("weather", { city: "Paris" }, "1")),
        scripted("b", () => call("weather", { city: "Lyon" }, "2")),
        scripted("c", () => call("weather", { city: "Rome" }, "3")),
      ],
      oracle: scripted("big", () => call("weather", { city: "Oslo" }, "4")),
    }).bindTools([weather]);
    const escalated = (await split.invoke("Weather?")) as AIMessage;
    expect(escalated.tool_calls?.[0].args).toEqual({ city: "Oslo" });
    expect(meta(escalated).escalated).toBe(true);
  });

  it("supports withStructuredOutput through bindTools", async () => {
    const schema = z.object({ answer: z.number(), unit: z.string() });
    const reply = (_: BaseMessage[], tools: unknown[]) => {
      expect(tools).toHaveLength(1);
      return new AIMessage({
        content: "",
        tool_calls: [{ name: "extract", args: { answer: 42, unit: "kg" }, id: "t", type: "tool_call" }],
      });
    };
    const model = new PyramidChatModel({
      crowd: [scripted("a", reply), scripted("b", reply), scripted("c", reply)],
      oracle: scripted("big", reply),
    });
    const structured = model.withStructuredOutput(schema);
    expect(await structured.invoke("How heavy?")).toEqual({ answer: 42, unit: "kg" });
  });

  it("completes a tool-using task as the model of a LangGraph prebuilt ReAct agent", async () => {
    const multiply = tool(async ({ a, b }: { a: number; b: number }) => String(a * b), {
      name: "multiply",
      description: "Multiply two numbers",
      schema: z.object({ a: z.number(), b: z.number() }),
    });
    // Members call the tool first, then answer from the tool's result.
    const member = (name: string) =>
      scripted(name, (messages) => {
        const last = messages[messages.length - 1];
        if (ToolMessage.isInstance(last)) return `The product is ${String(last.content)}.`;
        return new AIMessage({
          content: "",
          tool_calls: [{ name: "multiply", args: { a: 17, b: 23 }, id: `${name}-1`, type: "tool_call" }],
        });
      });
    const agent = createReactAgent({
      llm: new PyramidChatModel({
        crowd: [member("a"), member("b"), member("c")],
        oracle: member("big"),
        task: "math",
      }),
      tools: [multiply],
    });
    const result = await agent.invoke({ messages: [new HumanMessage("What is 17 times 23?")] });
    const messages = result.messages as BaseMessage[];
    expect(messages.some((m) => ToolMessage.isInstance(m) && m.content === "391")).toBe(true);
    expect(messages[messages.length - 1].content).toBe("The product is 391.");
  });

  it("reports LangSmith params and shows each member call as a child run", async () => {
    const model = new PyramidChatModel({
      crowd: [scripted("a", "1"), scripted("b", "1")],
      oracle: scripted("big", "2"),
    });
    expect(model.getLsParams({} as never)).toMatchObject({
      ls_provider: "pyramid-moa",
      ls_model_name: "big",
      ls_model_type: "chat",
    });
    const runs: Array<{ name: string; parent?: string; id: string }> = [];
    class Recorder extends BaseCallbackHandler {
      name = "recorder";
      override async handleChatModelStart(
        llm: Serialized,
        _m: BaseMessage[][],
        runId: string,
        parentRunId?: string,
        _e?: Record<string, unknown>,
        _t?: string[],
        _md?: Record<string, unknown>,
        runName?: string,
      ) {
        runs.push({ name: runName ?? String(llm.id?.[llm.id.length - 1]), parent: parentRunId, id: runId });
      }
    }
    await model.invoke("?", { callbacks: [new Recorder()] });
    const root = runs.find((r) => r.parent === undefined);
    expect(root).toBeDefined();
    const members = runs.filter((r) => r.name === "a" || r.name === "b");
    expect(members).toHaveLength(2);
    // Members are descendants of the pyramid's run (through the graph's node runs), not new roots.
    for (const m of members) expect(m.parent).toBeDefined();
  });
});
