import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { ChatAnthropic } from "@langchain/anthropic";
import { ChatGroq } from "@langchain/groq";
import { ChatOllama } from "@langchain/ollama";
import { ChatOpenAI } from "@langchain/openai";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { AIMessageChunk } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { PyramidChatModel, PyramidConfigError } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { startProviderStub } from "../helpers/provider_stub.js";
import type { Provider, ProviderStub, StubReply } from "../helpers/provider_stub.js";

/**
 * The provider matrix: a pyramid over real LangChain provider classes (ChatOpenAI, ChatAnthropic, ChatOllama,
 * ChatGroq) speaking HTTP to a loopback stub in each provider's wire format. The crowd's three members disagree
 * (member `a` answers 1, `b` 2, `c` 3), so every query climbs to the apex (which answers 4): every member gets a
 * request, and what each receives is asserted.
 */

let stub: ProviderStub;
const PROVIDERS: Provider[] = ["openai", "anthropic", "ollama", "groq"];
const NUMBER: Record<string, number> = { a: 1, b: 2, c: 3, apex: 4 };

/** Tool names in a request body (OpenAI/Groq/Ollama `tools[].function.name`, Anthropic `tools[].name`). */
function toolNames(body: Record<string, unknown>): string[] {
  const tools = (body.tools ?? []) as Array<{ name?: string; function?: { name: string } }>;
  return tools.map((t) => t.function?.name ?? t.name ?? "");
}

/** The object of the standard tests' "more complex tools" schema (nested object, record of unknown fields). */
const SERVICE = {
  decision: "UseAPI",
  explanation: "faster",
  apiDetails: {
    serviceName: "MyService",
    endpointName: "MyEndpoint",
    parameters: { param1: "value1", param2: "value2" },
    extractionPath: "Users/johndoe/data",
  },
};

function script(n: number) {
  return (body: Record<string, unknown>): StubReply => {
    const text = JSON.stringify(body.messages ?? []) + JSON.stringify(body.system ?? "");
    const delayMs = text.includes("slowly") ? 30_000 : 0;
    const choice = body.tool_choice as unknown;
    const none = choice === "none" || (choice as { type?: string } | undefined)?.type === "none";
    const names = none ? [] : toolNames(body);
    if (names.includes("service_tool")) return { toolCalls: [{ name: "service_tool", args: SERVICE }], delayMs };
    if (text.includes("service_tool")) return { text: JSON.stringify(SERVICE), delayMs };
    if (names.includes("extract")) return { toolCalls: [{ name: "extract", args: { value: n } }], delayMs };
    if (names.includes("add")) return { toolCalls: [{ name: "add", args: { a: n, b: n } }], delayMs };
    if (body.response_format || body.format || text.includes("JSON")) return { text: `{"value": ${n}}`, delayMs };
    return { text: `The answer is ${n}.`, delayMs };
  };
}

beforeAll(async () => {
  const scripts: Record<string, ReturnType<typeof script>> = {};
  for (const provider of PROVIDERS) {
    for (const [member, n] of Object.entries(NUMBER)) scripts[`${provider}-${member}`] = script(n);
  }
  stub = await startProviderStub(scripts);
});

afterAll(async () => {
  await stub.close();
});

function chatModel(provider: Provider, model: string): BaseChatModel {
  switch (provider) {
    case "openai":
      return new ChatOpenAI({
        model,
        apiKey: "sk-test",
        maxRetries: 0,
        configuration: { baseURL: `${stub.origin}/v1` },
      });
    case "anthropic":
      return new ChatAnthropic({ model, apiKey: "sk-ant-test", maxRetries: 0, anthropicApiUrl: stub.origin });
    case "ollama":
      return new ChatOllama({ model, baseUrl: stub.origin });
    case "groq":
      return new ChatGroq({ model, apiKey: "gsk-test", maxRetries: 0, baseUrl: stub.origin });
  }
}

function pyramid(provider: Provider): PyramidChatModel {
  const member = (name: string) => ({
    name: `${provider}-${name}`,
    model: chatModel(provider, `${provider}-${name}`),
    price: { input: 0.1, output: 0.2 },
  });
  return new PyramidChatModel({ crowd: [member("a"), member("b"), member("c")], oracle: member("apex"), task: "math" });
}

/** The request bodies each member received since `from`. */
function bodies(provider: Provider, from: number): Record<string, Record<string, unknown>[]> {
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const name of Object.keys(NUMBER)) {
    out[name] = stub.requests
      .slice(from)
      .filter((r) => r.model === `${provider}-${name}`)
      .map((r) => r.body);
  }
  return out;
}

const add = tool(async ({ a, b }: { a: number; b: number }) => String(a + b), {
  name: "add",
  description: "Adds two numbers",
  schema: z.object({ a: z.number(), b: z.number() }),
});

/** Each provider's wire form of a tool_choice (undefined: the provider cannot take it, the pyramid refuses). */
const WIRE_CHOICE: Record<Provider, Record<string, unknown>> = {
  openai: { auto: "auto", required: "required", add: { type: "function", function: { name: "add" } }, none: "none" },
  groq: { auto: "auto", required: "required", add: { type: "function", function: { name: "add" } }, none: "none" },
  anthropic: {
    auto: { type: "auto" },
    required: { type: "any" },
    add: { type: "tool", name: "add" },
    none: { type: "none" },
  },
  ollama: { auto: undefined },
};

/** The stop sequences as each provider sends them. */
function wireStop(provider: Provider, body: Record<string, unknown>): unknown {
  if (provider === "anthropic") return body.stop_sequences;
  if (provider === "ollama") return (body.options as { stop?: unknown } | undefined)?.stop;
  return body.stop;
}

const schema = z.object({ value: z.number() }).describe("extract");

describe.each(PROVIDERS)("a pyramid of %s members (real LangChain classes, loopback stub)", (provider) => {
  it("invoke: every member is asked, the apex answers, usage is the providers' own", async () => {
    const from = stub.requests.length;
    const answer = await pyramid(provider).invoke("What is 2 + 2?");
    expect(answer.text).toBe("The answer is 4.");
    const pyramidMeta = answer.response_metadata.pyramid as PyramidMetadata;
    expect(pyramidMeta.tierName).toBe("oracle");
    expect(pyramidMeta.cost.tokensEstimated).toBe(false);
    expect(answer.usage_metadata?.input_tokens).toBe(44);
    const got = bodies(provider, from);
    for (const name of Object.keys(NUMBER)) expect(got[name]).toHaveLength(1);
  });

  it("stream: the apex streams in its wire format; same text and usage as invoke", async () => {
    const from = stub.requests.length;
    let merged: AIMessageChunk | undefined;
    let count = 0;
    for await (const chunk of await pyramid(provider).stream("What is 2 + 2?")) {
      merged = merged ? merged.concat(chunk) : chunk;
      count++;
    }
    expect(merged?.text).toBe("The answer is 4.");
    expect(count).toBeGreaterThan(2);
    expect(merged?.usage_metadata?.input_tokens).toBe(44);
    const apex = bodies(provider, from).apex[0];
    expect(provider === "ollama" ? apex.stream !== false : apex.stream).toBe(true);
  });

  it.each(["auto", "required", "add", "none"])("bindTools with tool_choice %s", async (choice) => {
    const from = stub.requests.length;
    const wire = WIRE_CHOICE[provider];
    const bound = () => pyramid(provider).bindTools([add], { tool_choice: choice });
    if (!(choice in wire)) {
      // A provider with no tool choice in its API: refused with the member's name, never ignored.
      expect(bound).toThrow(PyramidConfigError);
      expect(bound).toThrow(new RegExp(`member "${provider}-a".*tool_choice`));
      expect(stub.requests.length).toBe(from);
      return;
    }
    const answer = await bound().invoke("What is 4 + 4?");
    if (choice === "none") expect(answer.tool_calls ?? []).toEqual([]);
    else expect(answer.tool_calls?.[0]).toMatchObject({ name: "add", args: { a: 4, b: 4 } });
    for (const [name, list] of Object.entries(bodies(provider, from))) {
      expect(list, name).toHaveLength(1);
      expect(toolNames(list[0])).toEqual(["add"]);
      expect(list[0].tool_choice).toEqual(wire[choice]);
    }
  });

  it.each(["functionCalling", "jsonMode", "jsonSchema"] as const)("withStructuredOutput, method %s", async (method) => {
    const from = stub.requests.length;
    const structured = () => pyramid(provider).withStructuredOutput(schema, { method, name: "extract" });
    if (provider === "ollama" && method === "functionCalling") {
      // Ollama cannot force the schema's tool: refused naming the member, before any request.
      expect(structured).toThrow(/member "ollama-a".*tool_choice/);
      return;
    }
    expect(await structured().invoke("What is 2 + 2? Answer as JSON.")).toEqual({ value: 4 });
    for (const [name, list] of Object.entries(bodies(provider, from))) {
      expect(list, name).toHaveLength(1);
      const body = list[0];
      if (method === "functionCalling") {
        expect(toolNames(body)).toEqual(["extract"]);
        expect(body.tool_choice).toEqual(
          provider === "anthropic"
            ? { type: "tool", name: "extract" }
            : { type: "function", function: { name: "extract" } },
        );
      } else if (provider === "openai" || provider === "groq") {
        expect((body.response_format as { type: string }).type).toBe(
          method === "jsonMode" ? "json_object" : "json_schema",
        );
      } else {
        // No response_format in this API: the schema is asked for in the prompt, and the object is validated.
        expect(JSON.stringify(body.messages) + JSON.stringify(body.system ?? "")).toContain("JSON");
      }
    }
  });

  it("a few-shot history (a tool call, its result, the answer, a new question) reaches every member", async () => {
    const from = stub.requests.length;
    const answer = await pyramid(provider)
      .bindTools([add])
      .invoke([
        new HumanMessage("What is 1 + 2"),
        new AIMessage({
          content: "",
          tool_calls: [{ name: "add", args: { a: 1, b: 2 }, id: "call_fewshot_1", type: "tool_call" }],
        }),
        new ToolMessage("3", "call_fewshot_1", "add"),
        new AIMessage("3"),
        new HumanMessage("What is 3 + 4"),
      ]);
    expect(answer.tool_calls?.[0]).toMatchObject({ name: "add", args: { a: 4, b: 4 } });
    for (const [name, list] of Object.entries(bodies(provider, from))) {
      const sent = JSON.stringify(list[0].messages);
      // The earlier call (by its id, or by its arguments where the API has no call ids) and its result.
      expect(sent, name).toMatch(provider === "ollama" ? /"add".*"a":1.*"b":2/ : /call_fewshot_1/);
      expect(sent, name).toContain("What is 3 + 4");
      expect(list[0].messages as unknown[], name).toHaveLength(5);
    }
  });

  it("withStructuredOutput with a nested schema (the standard tests' more complex tool)", async () => {
    const from = stub.requests.length;
    const complex = z.object({
      decision: z.enum(["UseAPI", "UseFallback"]),
      explanation: z.string(),
      apiDetails: z.object({
        serviceName: z.string(),
        endpointName: z.string(),
        parameters: z.record(z.string(), z.unknown()),
        extractionPath: z.string(),
      }),
    });
    // Ollama cannot force a tool (see above): like a bare ChatOllama, it takes the schema as JSON.
    const method = provider === "ollama" ? "jsonSchema" : "functionCalling";
    const result = await pyramid(provider)
      .withStructuredOutput(complex, { name: "service_tool", method })
      .invoke([
        new SystemMessage("You're a helpful assistant. Always use the service_tool tool."),
        new HumanMessage("I want to use the UseAPI because it's faster. Service name: MyService"),
      ]);
    expect(result).toEqual(SERVICE);
    expect(bodies(provider, from).a).toHaveLength(1);
  });

  it("stop reaches every member in the provider's field", async () => {
    const from = stub.requests.length;
    await pyramid(provider).invoke("What is 2 + 2?", { stop: ["END"] });
    for (const [name, list] of Object.entries(bodies(provider, from))) {
      expect(wireStop(provider, list[0]), name).toEqual(["END"]);
    }
  });

  it("abort: an aborted query rejects while the members are still waiting", async () => {
    const controller = new AbortController();
    const call = pyramid(provider).invoke("Answer slowly: what is 2 + 2?", { signal: controller.signal });
    setTimeout(() => controller.abort(), 200);
    await expect(call).rejects.toThrow(/abort/i);
  });
});
