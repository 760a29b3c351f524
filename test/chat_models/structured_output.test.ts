import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { AIMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import { OutputParserException } from "@langchain/core/output_parsers";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { openAIMember, requestsOf } from "../helpers/openai_members.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";
import type { ScriptedReply } from "../helpers/scripted_model.js";

// Point 4 of issue #13: withStructuredOutput(schema, { method, includeRaw, name, strict }) as ChatOpenAI does it.

const person = z.object({ name: z.string(), age: z.number() }).describe("A person");
const scripted = (name: string, reply: ScriptedReply | ((messages: BaseMessage[]) => ScriptedReply)) =>
  new ScriptedChatModel({ name, reply });
const extract = (args: Record<string, unknown>, name = "extract") =>
  new AIMessage({ content: "", tool_calls: [{ name, args, id: "t1", type: "tool_call" }] });

let server: OpenAITestServer;

beforeAll(async () => {
  server = await startOpenAITestServer({
    models: {
      // Two members give the same object with keys in another order; one answers in prose.
      "tool-a": () => ({ toolCalls: [{ name: "extract", arguments: '{"name":"Ada","age":36}' }] }),
      "tool-b": () => ({ toolCalls: [{ name: "extract", arguments: '{"age":36,"name":"Ada"}' }] }),
      prose: () => ({ content: "Ada is 36 years old." }),
      "json-a": () => ({ content: '{"name":"Ada","age":36}' }),
      "json-b": () => ({ content: '```json\n{ "age": 36, "name": "Ada" }\n```' }),
      apex: () => ({ toolCalls: [{ name: "extract", arguments: { name: "Apex", age: 1 } }] }),
    },
  });
});

afterAll(async () => {
  await server.close();
});

describe("withStructuredOutput", () => {
  it("functionCalling (default) forces the schema's tool on members that take tool_choice; the crowd votes on objects", async () => {
    server.requests.length = 0;
    const pyramid = new PyramidChatModel({
      crowd: [openAIMember(server, "tool-a"), openAIMember(server, "tool-b"), openAIMember(server, "prose")],
      oracle: openAIMember(server, "apex"),
      policy: { threshold: 0.5 },
    });
    const result = await pyramid.withStructuredOutput(person, { includeRaw: true }).invoke("Who is Ada?");
    expect(result.parsed).toEqual({ name: "Ada", age: 36 });
    const trace = (result.raw as AIMessage).response_metadata.pyramid as PyramidMetadata;
    expect(trace.escalated).toBe(false);
    // The prose member is a failed candidate, not a crash; the two objects are one answer.
    expect(trace.candidates.map((c) => c.invalid ?? null)).toEqual([null, null, 'no call of the tool "extract"']);
    expect(trace.candidates[0].answer).toBe(trace.candidates[1].answer);
    for (const body of requestsOf(server, "tool-a")) {
      expect(body.tool_choice).toEqual({ type: "function", function: { name: "extract" } });
    }
  });

  it("a crowd answering in prose is escalated, and the apex's call is parsed (main: 'No tool calls found')", async () => {
    const pyramid = new PyramidChatModel({
      // The crowd agrees, in prose: on main that answer won the vote and the parser found no tool call.
      crowd: [scripted("a", "Ada is 36."), scripted("b", "Ada is 36."), scripted("c", "Ada is 36.")],
      oracle: scripted("big", () => extract({ age: 36, name: "Ada" })),
    });
    expect(await pyramid.withStructuredOutput(person).invoke("Who is Ada?")).toEqual({ name: "Ada", age: 36 });
  });

  it("objects that fail the schema are failed candidates; when nothing parses, LangChain's parser error", async () => {
    const wrong = () => extract({ name: "Ada", age: "thirty-six" });
    const pyramid = new PyramidChatModel({
      crowd: [scripted("a", wrong), scripted("b", wrong)],
      oracle: scripted("big", wrong),
    });
    const raw = await pyramid.withStructuredOutput(person, { includeRaw: true }).invoke("Who is Ada?");
    expect(raw.parsed).toBeNull();
    expect(
      ((raw.raw as AIMessage).response_metadata.pyramid as PyramidMetadata).candidates.every((c) =>
        c.invalid?.includes("schema"),
      ),
    ).toBe(true);
    await expect(pyramid.withStructuredOutput(person).invoke("Who is Ada?")).rejects.toThrow(OutputParserException);
  });

  it("jsonMode: response_format for members that take it, the schema as an instruction for the others", async () => {
    server.requests.length = 0;
    const prompts: BaseMessage[][] = [];
    const instructed = new ScriptedChatModel({ name: "scripted", reply: '{"age": 36, "name": "Ada"}', calls: prompts });
    const pyramid = new PyramidChatModel({
      crowd: [openAIMember(server, "json-a"), openAIMember(server, "json-b"), instructed],
      oracle: openAIMember(server, "apex"),
    });
    const result = await pyramid
      .withStructuredOutput(person, { method: "jsonMode", includeRaw: true })
      .invoke("Who is Ada?");
    expect(result.parsed).toEqual({ name: "Ada", age: 36 });
    expect(((result.raw as AIMessage).response_metadata.pyramid as PyramidMetadata).escalated).toBe(false);
    expect(requestsOf(server, "json-a")[0].response_format).toEqual({ type: "json_object" });
    expect(String(prompts[0][0].content)).toContain("JSON object");
    expect(String(prompts[0][0].content)).toContain('"age"');
  });

  it("jsonSchema sends the named schema with strict; nothing parsable raises OutputParserException", async () => {
    server.requests.length = 0;
    const pyramid = new PyramidChatModel({
      crowd: [openAIMember(server, "json-a"), openAIMember(server, "json-b")],
      oracle: openAIMember(server, "apex"),
    });
    const parsed = await pyramid
      .withStructuredOutput(person, { method: "jsonSchema", name: "person", strict: true })
      .invoke("Ada?");
    expect(parsed).toEqual({ name: "Ada", age: 36 });
    const format = requestsOf(server, "json-a")[0].response_format as {
      type: string;
      json_schema: { name: string; strict: boolean };
    };
    expect(format.type).toBe("json_schema");
    expect(format.json_schema).toMatchObject({ name: "person", strict: true });

    const prose = new PyramidChatModel({
      crowd: [scripted("a", "Ada"), scripted("b", "Ada")],
      oracle: scripted("big", "Ada, 36"),
    });
    await expect(prose.withStructuredOutput(person, { method: "jsonMode" }).invoke("Ada?")).rejects.toThrow(
      OutputParserException,
    );
  });

  it("sets ls_structured_output_format on the pyramid's run, as ChatOpenAI does", async () => {
    const seen: Array<Record<string, unknown>> = [];
    class Recorder extends BaseCallbackHandler {
      name = "recorder";
      override handleChatModelStart(
        _llm: unknown,
        _messages: unknown,
        _runId: string,
        _parent?: string,
        extra?: Record<string, unknown>,
      ) {
        seen.push((extra?.options ?? {}) as Record<string, unknown>);
      }
    }
    const pyramid = new PyramidChatModel({
      crowd: [
        scripted("a", () => extract({ name: "Ada", age: 36 })),
        scripted("b", () => extract({ name: "Ada", age: 36 })),
      ],
      oracle: scripted("big", "x"),
    });
    await pyramid.withStructuredOutput(person, { name: "extract" }).invoke("Ada?", { callbacks: [new Recorder()] });
    expect(seen[0].ls_structured_output_format).toMatchObject({
      kwargs: { method: "function_calling" },
      schema: { title: "extract" },
    });
    // Members get tools, never the pyramid's tracing descriptor.
    expect(seen.slice(1).every((options) => options.ls_structured_output_format === undefined)).toBe(true);
  });

  it("refuses an unknown method and strict with jsonMode, naming the field", () => {
    const pyramid = new PyramidChatModel({ crowd: [scripted("a", "1")], oracle: scripted("big", "2") });
    expect(() => pyramid.withStructuredOutput(person, { method: "xml" as never })).toThrow(/method/);
    expect(() => pyramid.withStructuredOutput(person, { method: "jsonMode", strict: true })).toThrow(/strict/);
  });
});
