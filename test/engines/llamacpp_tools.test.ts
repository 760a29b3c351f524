import { join } from "node:path";
import { AIMessage, type AIMessageChunk, HumanMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { afterAll, describe, expect, it, vi } from "vitest";
import { z } from "zod";
import { LlamaCppChatModel, LlamaCppEngine } from "../../src/engines/llamacpp/index.js";
import { extractTokenLogprobEntries } from "../../src/core/logprobs.js";
import { ToolDefinitionError } from "../../src/errors/index.js";
import { dataDir } from "../../src/eval/data_dir.js";

const MODEL = join(dataDir(), "models", "stories260K.gguf");
const PROMPT = "What is the weather in Paris?";

const weatherSchema = z.object({
  city: z.enum(["Paris", "Rome", "Tokyo"]),
  days: z.number().int(),
  metric: z.boolean(),
});
const weather = tool(async ({ city }) => `sunny in ${city}`, {
  name: "get_weather",
  description: "Weather forecast of a city",
  schema: weatherSchema,
});
const timeSchema = z.object({ zone: z.enum(["UTC", "CET"]) });
const clock = { name: "get_time", description: "Current time in a time zone", schema: timeSchema };

function model(extra: Partial<ConstructorParameters<typeof LlamaCppChatModel>[0]> = {}): LlamaCppChatModel {
  return new LlamaCppChatModel({ modelPath: MODEL, contextSize: 1024, threads: 1, maxTokens: 96, ...extra });
}

afterAll(async () => {
  await LlamaCppEngine.disposeAll();
});

describe("LlamaCppChatModel tool calling on stories260K.gguf", () => {
  it("withStructuredOutput forces the schema's tool, so even this story model returns a schema-valid object", async () => {
    const structured = model().withStructuredOutput(weatherSchema, { name: "forecast" });
    const parsed = await structured.invoke(PROMPT);
    expect(weatherSchema.safeParse(parsed).success).toBe(true);
    const withRaw = await model()
      .withStructuredOutput(weatherSchema, { name: "forecast", includeRaw: true })
      .invoke(PROMPT);
    expect(weatherSchema.safeParse(withRaw.parsed).success).toBe(true);
    expect((withRaw.raw as AIMessage).tool_calls?.[0]?.name).toBe("forecast");
  });

  it('calls the tool with schema-valid arguments when tool_choice is "any"', async () => {
    const answer = await model({ topLogprobs: 2 }).bindTools([weather], { tool_choice: "any" }).invoke(PROMPT);
    expect(AIMessage.isInstance(answer)).toBe(true);
    expect(answer.tool_calls).toHaveLength(1);
    const call = answer.tool_calls![0]!;
    expect(call.name).toBe("get_weather");
    expect(call.id).toMatch(/^call_/);
    expect(weatherSchema.safeParse(call.args).success).toBe(true);
    expect(answer.content).toBe("");
    expect(answer.invalid_tool_calls ?? []).toEqual([]);
    expect(answer.response_metadata.finish_reason).toBe("tool_calls");
    const usage = answer.usage_metadata!;
    expect(usage.output_tokens).toBeGreaterThan(5);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    // Log-probabilities of every generated token, from the model's full distribution.
    const entries = extractTokenLogprobEntries(answer)!;
    expect(entries).toHaveLength(usage.output_tokens);
    const raw = entries.map((e) => e.token).join("");
    expect(raw).toContain("get_weather");
    expect(raw).toMatch(/^ ?\|\|call: get_weather\(\{"city": ?"/);
    expect(raw).toContain(JSON.stringify(call.args.city));
    for (const entry of entries) {
      expect(entry.logprob).toBeLessThanOrEqual(0);
      expect(entry.top_logprobs).toHaveLength(2);
      expect(entry.top_logprobs[0]!.logprob).toBeGreaterThanOrEqual(entry.logprob);
    }
    // The grammar forces tokens this story model would not pick: some have a low probability.
    expect(Math.min(...entries.map((e) => e.logprob))).toBeLessThan(-1);
  });

  it("calls the named tool when tool_choice names it, and only then", async () => {
    const bound = model().bindTools([weather, clock], { tool_choice: "get_time" });
    const answer = await bound.invoke(PROMPT);
    expect(answer.tool_calls).toHaveLength(1);
    expect(answer.tool_calls![0]!.name).toBe("get_time");
    expect(timeSchema.safeParse(answer.tool_calls![0]!.args).success).toBe(true);
    const openai = model().bindTools(
      [
        {
          type: "function",
          function: {
            name: "add",
            description: "Adds",
            parameters: {
              type: "object",
              properties: { a: { type: "integer" }, b: { type: "integer" } },
              required: ["a", "b"],
            },
          },
        },
      ],
      { tool_choice: { type: "function", function: { name: "add" } } },
    );
    const sum = await openai.invoke("2 + 3?");
    expect(sum.tool_calls![0]!.name).toBe("add");
    expect(
      z.object({ a: z.number().int(), b: z.number().int() }).strict().safeParse(sum.tool_calls![0]!.args).success,
    ).toBe(true);
  });

  it('answers either text or a valid call with "auto", and text with "none"', async () => {
    let texts = 0;
    let calls = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const answer = await model({ temperature: 1.5, seed, maxTokens: 64 }).bindTools([weather, clock]).invoke(PROMPT);
      if ((answer.tool_calls ?? []).length > 0) {
        calls++;
        expect(answer.tool_calls).toHaveLength(1);
        const call = answer.tool_calls![0]!;
        const schema = call.name === "get_weather" ? weatherSchema : timeSchema;
        expect(["get_weather", "get_time"]).toContain(call.name);
        expect(schema.safeParse(call.args).success).toBe(true);
        expect(answer.content).toBe("");
      } else {
        texts++;
        expect(typeof answer.content).toBe("string");
        expect(answer.content as string).not.toMatch(/^ ?\|\|call: /);
        expect(answer.invalid_tool_calls ?? []).toEqual([]);
      }
    }
    expect(texts + calls).toBe(6);
    const none = await model().bindTools([weather], { tool_choice: "none" }).invoke(PROMPT);
    expect(none.tool_calls ?? []).toEqual([]);
    expect((none.content as string).length).toBeGreaterThan(0);
  });

  it("streams the call as tool_call_chunks that concatenate to the invoked call", async () => {
    const bound = model().bindTools([weather], { tool_choice: "any" });
    const invoked = await bound.invoke(PROMPT);
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await bound.stream(PROMPT)) chunks.push(chunk);
    const withCalls = chunks.filter((c) => (c.tool_call_chunks ?? []).length > 0);
    expect(withCalls.length).toBeGreaterThan(3);
    expect(withCalls[0]!.tool_call_chunks![0]).toMatchObject({ name: "get_weather", index: 0 });
    expect(withCalls[0]!.tool_call_chunks![0]!.id).toMatch(/^call_/);
    for (const chunk of chunks) expect(chunk.content).toBe("");
    const merged = chunks.reduce((a, b) => a.concat(b));
    expect(merged.tool_calls).toHaveLength(1);
    expect(merged.tool_calls![0]!.name).toBe(invoked.tool_calls![0]!.name);
    expect(merged.tool_calls![0]!.args).toEqual(invoked.tool_calls![0]!.args);
    expect(merged.response_metadata.finish_reason).toBe("tool_calls");
    expect(merged.usage_metadata).toMatchObject(invoked.usage_metadata!);
  });

  it("reports a call cut by maxTokens as an invalid tool call", async () => {
    const answer = await model({ maxTokens: 14 }).bindTools([weather], { tool_choice: "any" }).invoke(PROMPT);
    expect(answer.tool_calls ?? []).toEqual([]);
    expect(answer.invalid_tool_calls).toHaveLength(1);
    expect(answer.invalid_tool_calls![0]!.error).toMatch(/maxTokens/);
    expect(answer.response_metadata.finish_reason).toBe("length");
  });

  it("continues a conversation with tool calls and results rendered by the chat template", async () => {
    const bound = model({ maxTokens: 24 }).bindTools([weather]);
    const first = await model().bindTools([weather], { tool_choice: "any" }).invoke(PROMPT);
    const call = first.tool_calls![0]!;
    const result = await weather.invoke(call.args as z.infer<typeof weatherSchema>);
    const answer = await bound.invoke([
      new HumanMessage(PROMPT),
      first,
      new ToolMessage({ content: result, tool_call_id: call.id! }),
    ]);
    expect(answer.usage_metadata!.input_tokens).toBeGreaterThan(first.usage_metadata!.input_tokens);
    expect(answer.tool_calls!.length + (answer.content as string).length).toBeGreaterThan(0);
  });

  it("stops promptly when aborted during a constrained generation", async () => {
    const chat = model({ maxTokens: 400 });
    const bound = chat.bindTools([{ name: "echo", description: "Echo", schema: z.object({ text: z.string() }) }], {
      tool_choice: "any",
    });
    const controller = new AbortController();
    let chunks = 0;
    const consume = async (): Promise<void> => {
      for await (const _chunk of await bound.stream(PROMPT, { signal: controller.signal })) {
        chunks++;
        if (chunks === 5) controller.abort();
      }
    };
    await expect(consume()).rejects.toThrow();
    expect(chunks).toBeLessThan(10);
    await vi.waitFor(() => expect(chat.engine.activeSequences).toBe(0));
    const after = await chat.bindTools([weather], { tool_choice: "any" }).invoke(PROMPT);
    expect(after.tool_calls).toHaveLength(1);
  });

  it("rejects unusable tools and tool_choice with ToolDefinitionError", async () => {
    const chat = model();
    expect(() =>
      chat.bindTools([{ name: "bad", schema: { type: "object", properties: { x: { not: { type: "string" } } } } }]),
    ).toThrow(ToolDefinitionError);
    expect(() => chat.bindTools([weather], { tool_choice: "get_time" })).toThrow(/not a bound tool/);
    await expect(chat.invoke(PROMPT, { tool_choice: "any" })).rejects.toMatchObject({ field: "tool_choice" });
  });
});
