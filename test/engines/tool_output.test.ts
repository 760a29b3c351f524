import { AIMessage, AIMessageChunk, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import {
  GeneralChatWrapper,
  Llama3_1ChatWrapper,
  QwenChatWrapper,
  type ChatModelFunctionCall,
  type ChatModelResponse,
} from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ToolDefinitionError, PyramidConfigError } from "../../src/errors/index.js";
import { toChatFunctions, toChatHistory } from "../../src/engines/llamacpp/prompt.js";
import { callPrefixFromRendering, callSyntaxOf, PLACEHOLDER } from "../../src/engines/llamacpp/tools/call_syntax.js";
import { chunkFields, ToolCallSplitter, type ToolOutputEvent } from "../../src/engines/llamacpp/tools/call_output.js";
import { normalizeTools, resolveToolChoice } from "../../src/engines/llamacpp/tools/definitions.js";
import { thrownBy } from "../helpers/thrown.js";

const citySchema = z.object({ city: z.string().describe("City name") });

describe("normalizeTools", () => {
  it("accepts LangChain tools, zod-schema tools, OpenAI tools and bare function definitions", () => {
    const langchain = tool(async () => "sunny", {
      name: "weather",
      description: "Weather of a city",
      schema: citySchema,
    });
    const tools = normalizeTools([
      langchain,
      { name: "zod_tool", description: "A zod tool", schema: citySchema },
      {
        type: "function",
        function: {
          name: "openai_tool",
          description: "OpenAI",
          parameters: { type: "object", properties: { n: { type: "integer" } }, required: ["n"] },
        },
      },
      { name: "bare", parameters: { properties: { s: { type: "string" } } } },
      { type: "function", function: { name: "no_params" } },
    ]);
    expect(tools.map((t) => t.name)).toEqual(["weather", "zod_tool", "openai_tool", "bare", "no_params"]);
    expect(tools[0]).toMatchObject({
      description: "Weather of a city",
      parameters: {
        type: "object",
        properties: { city: { type: "string", description: "City name" } },
        required: ["city"],
      },
    });
    expect(tools[0]!.parameters.$schema).toBeUndefined();
    expect(tools[3]!.parameters).toEqual({ type: "object", properties: { s: { type: "string" } } });
    expect(tools[4]!.parameters).toEqual({ type: "object", properties: {} });
  });

  it("names the faulty tool field and the fix", () => {
    const fails = (input: unknown, field: string): void => {
      let caught: unknown;
      try {
        normalizeTools([input as never]);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ToolDefinitionError);
      expect(caught).toBeInstanceOf(PyramidConfigError);
      expect((caught as ToolDefinitionError).field).toBe(field);
      expect((caught as Error).message).toContain("Fix:");
    };
    fails({ name: "has space", schema: citySchema }, "tools[0].function.name");
    fails(
      { type: "function", function: { name: "list", parameters: { type: "array" } } },
      "tools[0].function.parameters",
    );
    fails(42, "tools[0]");
    expect(() =>
      normalizeTools([
        { name: "a", schema: citySchema },
        { name: "a", schema: citySchema },
      ]),
    ).toThrow(/two tools are named "a"/);
  });
});

describe("resolveToolChoice", () => {
  const names = ["get_weather", "get_time"];
  it("reads LangChain's and OpenAI's forms", () => {
    expect(resolveToolChoice(undefined, names)).toEqual({ mode: "auto", allowed: names });
    expect(resolveToolChoice("auto", names)).toEqual({ mode: "auto", allowed: names });
    expect(resolveToolChoice("none", names)).toEqual({ mode: "none", allowed: [] });
    expect(resolveToolChoice("any", names)).toEqual({ mode: "required", allowed: names });
    expect(resolveToolChoice("required", names)).toEqual({ mode: "required", allowed: names });
    expect(resolveToolChoice("get_time", names)).toEqual({ mode: "required", allowed: ["get_time"] });
    expect(resolveToolChoice({ type: "function", function: { name: "get_time" } }, names)).toEqual({
      mode: "required",
      allowed: ["get_time"],
    });
    expect(resolveToolChoice({ type: "tool", name: "get_weather" }, names)).toEqual({
      mode: "required",
      allowed: ["get_weather"],
    });
    expect(resolveToolChoice("auto", [])).toEqual({ mode: "auto", allowed: [] });
  });

  it("rejects unknown tools, unknown forms and forced calls without tools", () => {
    expect(() => resolveToolChoice("get_date", names)).toThrow(ToolDefinitionError);
    expect(() => resolveToolChoice({ type: "function" }, names)).toThrow(/unsupported tool_choice/);
    expect(() => resolveToolChoice("any", [])).toThrow(/needs bound tools/);
    const error = thrownBy(() => resolveToolChoice("get_date", names));
    expect(error).toBeInstanceOf(ToolDefinitionError);
    expect((error as ToolDefinitionError).field).toBe("tool_choice");
    expect((error as Error).message).toContain("not a bound tool");
  });
});

describe("call syntax of chat templates", () => {
  it("is read from node-llama-cpp's chat wrappers", () => {
    const names = ["get_weather"];
    expect(callSyntaxOf(new GeneralChatWrapper(), names)).toEqual([
      { name: "get_weather", before: "||call: get_weather(" },
    ]);
    expect(callSyntaxOf(new QwenChatWrapper(), names)).toEqual([
      { name: "get_weather", before: '<tool_call>\n{"name": "get_weather", "arguments": ' },
    ]);
    expect(callSyntaxOf(new Llama3_1ChatWrapper(), names)).toEqual([
      { name: "get_weather", before: "<function=get_weather>" },
    ]);
  });

  it("keeps special-token text, stops at the arguments and refuses built-in special tokens before them", () => {
    const args = JSON.stringify(PLACEHOLDER);
    expect(
      callPrefixFromRendering([
        { type: "specialTokensText", value: "<call>" },
        `f ${args}`,
        { type: "specialToken", value: "EOS" },
      ]),
    ).toBe("<call>f ");
    expect(callPrefixFromRendering([{ type: "specialToken", value: "BOS" }, `f(${args})`])).toBeNull();
    expect(callPrefixFromRendering("no arguments here")).toBeNull();
  });
});

describe("ToolCallSplitter", () => {
  const syntax = [
    { name: "get", before: "||call: get(" },
    { name: "get_weather", before: "||call: get_weather(" },
  ];
  const run = (splitter: ToolCallSplitter, pieces: string[]): ToolOutputEvent[] =>
    pieces.flatMap((piece) => splitter.push(piece));

  it("returns text at once when it cannot open a call", () => {
    const splitter = new ToolCallSplitter(syntax, true);
    expect(run(splitter, ["Hello", " there"])).toEqual([
      { type: "text", text: "Hello" },
      { type: "text", text: " there" },
    ]);
    expect(splitter.finish()).toEqual({ content: "Hello there", toolCalls: [], invalidToolCalls: [] });
  });

  it("holds back text that may open a call, then releases it as text", () => {
    const splitter = new ToolCallSplitter(syntax, true);
    expect(run(splitter, ["|", "|"])).toEqual([]);
    expect(run(splitter, ["x"])).toEqual([{ type: "text", text: "||x" }]);
    const short = new ToolCallSplitter(syntax, true);
    run(short, ["||ca"]);
    expect(short.flush()).toEqual([{ type: "text", text: "||ca" }]);
    expect(short.finish().content).toBe("||ca");
  });

  it("waits until the tool name is unambiguous, then streams the arguments", () => {
    const splitter = new ToolCallSplitter(syntax, false, "call_1");
    expect(run(splitter, [" ||call: ", "get"])).toEqual([]);
    expect(run(splitter, ["_weather({", '"city": "Paris"'])).toEqual([
      { type: "call", name: "get_weather", id: "call_1" },
      { type: "args", text: "{" },
      { type: "args", text: '"city": "Paris"' },
    ]);
    expect(run(splitter, ["}"])).toEqual([{ type: "args", text: "}" }]);
    expect(splitter.finish()).toEqual({
      content: "",
      toolCalls: [{ id: "call_1", name: "get_weather", args: { city: "Paris" }, type: "tool_call" }],
      invalidToolCalls: [],
    });
    const other = new ToolCallSplitter(syntax, false);
    run(other, ["||call: get({}"]);
    expect(other.finish().toolCalls[0]).toMatchObject({ name: "get", args: {} });
    expect(other.id).toMatch(/^call_[0-9a-f]{24}$/);
  });

  it("reports calls cut short as invalid tool calls", () => {
    const cut = new ToolCallSplitter(syntax, true, "call_2");
    run(cut, ['||call: get_weather({"city": "Pa']);
    expect(cut.finish()).toMatchObject({
      content: "",
      toolCalls: [],
      invalidToolCalls: [{ id: "call_2", name: "get_weather", args: '{"city": "Pa' }],
    });
    const unnamed = new ToolCallSplitter(syntax, false, "call_3");
    run(unnamed, ["||cal"]);
    expect(unnamed.flush()).toEqual([]);
    expect(unnamed.finish()).toMatchObject({
      content: "",
      toolCalls: [],
      invalidToolCalls: [{ id: "call_3", args: "||cal" }],
    });
  });

  it("turns events into chunks whose concatenation is the call", () => {
    const splitter = new ToolCallSplitter(syntax, false, "call_4");
    const pieces = ["||call: get_", "weather(", '{"ci', 'ty": "Ro', 'me"}'];
    const chunks = pieces.map((piece) => new AIMessageChunk(chunkFields(splitter.push(piece))));
    const merged = chunks.reduce((a, b) => a.concat(b));
    expect(merged.content).toBe("");
    expect(merged.tool_calls).toEqual([
      { id: "call_4", name: "get_weather", args: { city: "Rome" }, type: "tool_call" },
    ]);
    expect(
      chunkFields([
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ]),
    ).toEqual({ content: "ab", tool_call_chunks: [] });
  });
});

describe("toChatHistory", () => {
  it("renders tool calls and their results inside the model turn, continued after the results", () => {
    const history = toChatHistory([
      new SystemMessage("Be brief."),
      new HumanMessage("Weather in Paris and Rome?"),
      new AIMessage({
        content: "",
        tool_calls: [
          { id: "a", name: "get_weather", args: { city: "Paris" }, type: "tool_call" },
          { id: "b", name: "get_weather", args: { city: "Rome" }, type: "tool_call" },
        ],
      }),
      new ToolMessage({ content: '{"temp": 21}', tool_call_id: "a" }),
      new ToolMessage({ content: "rainy", tool_call_id: "b" }),
    ]);
    expect(history.map((item) => item.type)).toEqual(["system", "user", "model"]);
    const turn = history[2] as ChatModelResponse;
    const calls = turn.response as ChatModelFunctionCall[];
    expect(calls.map((c) => [c.name, c.params, c.result])).toEqual([
      ["get_weather", { city: "Paris" }, { temp: 21 }],
      ["get_weather", { city: "Rome" }, "rainy"],
    ]);

    const answered = toChatHistory([
      new HumanMessage("Weather?"),
      new AIMessage({
        content: "",
        tool_calls: [{ id: "a", name: "get_weather", args: { city: "Paris" }, type: "tool_call" }],
      }),
      new ToolMessage({ content: "sunny", tool_call_id: "a" }),
      new AIMessage("It is sunny."),
      new HumanMessage("Thanks"),
    ]);
    expect(answered.map((item) => item.type)).toEqual(["user", "model", "user", "model"]);
    expect((answered[1] as ChatModelResponse).response.at(-1)).toBe("It is sunny.");
    expect((answered[3] as ChatModelResponse).response).toEqual([]);

    const orphan = toChatHistory([new HumanMessage("Hi"), new ToolMessage({ content: "42", tool_call_id: "zz" })]);
    expect(orphan).toEqual([
      { type: "user", text: "Hi" },
      { type: "user", text: "Tool result: 42" },
      { type: "model", response: [] },
    ]);
  });

  it("documents tools for the template, with anyOf written as oneOf", () => {
    const [t] = normalizeTools([
      {
        type: "function",
        function: {
          name: "f",
          description: "F",
          parameters: { type: "object", properties: { n: { anyOf: [{ type: "integer" }, { type: "null" }] } } },
        },
      },
    ]);
    const functions = toChatFunctions([t!]);
    expect(functions.f!.description).toBe("F");
    const params = JSON.stringify(functions.f!.params);
    expect(params).not.toContain("anyOf");
    expect(params).toContain('"n":{"oneOf":[{"type":"integer"},{"type":"null"}]}');
  });
});
