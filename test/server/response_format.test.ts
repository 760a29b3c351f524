import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ChatOpenAI } from "@langchain/openai";
import { requestsOf } from "../helpers/openai_members.js";
import type { ChatCompletionRequest, ScriptedReply } from "../helpers/openai_server.js";
import { postChat, pyramidOverUpstream } from "./pyramid_over_upstream.js";

// `response_format` of a chat completions request is answered through the pyramid's structured output: the members
// get the JSON format, the crowd votes on their objects, and the answer's content is the chosen object as JSON.

/** JSON when the request asks for it (response_format), prose otherwise. */
function member(value: number) {
  return (request: ChatCompletionRequest): ScriptedReply =>
    request.response_format ? { content: `{"city": "Paris", "population": ${value}}` } : { content: "Paris." };
}

const running = pyramidOverUpstream({
  models: { "crowd-a": member(2), "crowd-b": member(2), "crowd-c": member(7), apex: member(2) },
  crowd: ["crowd-a", "crowd-b", "crowd-c"],
  oracle: "apex",
  options: {
    prices: Object.fromEntries(["crowd-a", "crowd-b", "crowd-c", "apex"].map((n) => [n, { input: 0, output: 0 }])),
  },
});
const post = (body: Record<string, unknown>): Promise<Response> => postChat(running.url, "Capital of France?", body);

const citySchema = {
  type: "object",
  properties: { city: { type: "string" }, population: { type: "number" } },
  required: ["city", "population"],
};

describe("serve: response_format", () => {
  it("ChatOpenAI.withStructuredOutput (json_schema by default) pointed at the server parses the voted object", async () => {
    running.upstream.requests.length = 0;
    const client = new ChatOpenAI({
      model: "pyramid-moa",
      apiKey: "t0ken",
      maxRetries: 0,
      configuration: { baseURL: `${running.url}/v1` },
    });
    const schema = z.object({ city: z.string(), population: z.number() });
    const answer = await client.withStructuredOutput(schema, { name: "city" }).invoke("Capital of France?");
    expect(answer).toEqual({ city: "Paris", population: 2 });
    // Every member got the JSON schema as its response_format.
    for (const name of ["crowd-a", "crowd-b", "crowd-c"]) {
      const format = requestsOf(running.upstream, name).at(-1)?.response_format as {
        type: string;
        json_schema: unknown;
      };
      expect(format.type).toBe("json_schema");
      expect(format.json_schema).toMatchObject({ name: "city" });
    }
  });

  it("a raw json_schema request gets the object as JSON content; json_object too; streamed as well", async () => {
    const schemaReply = await post({
      response_format: { type: "json_schema", json_schema: { name: "city", schema: citySchema, strict: true } },
    });
    expect(schemaReply.status).toBe(200);
    const schemaBody = (await schemaReply.json()) as { choices: Array<{ message: { content: string } }> };
    expect(JSON.parse(schemaBody.choices[0].message.content)).toEqual({ city: "Paris", population: 2 });
    running.upstream.requests.length = 0;
    const objectReply = await post({ response_format: { type: "json_object" } });
    const objectBody = (await objectReply.json()) as { choices: Array<{ message: { content: string } }> };
    expect(JSON.parse(objectBody.choices[0].message.content)).toEqual({ city: "Paris", population: 2 });
    expect(requestsOf(running.upstream, "crowd-a").at(-1)?.response_format).toEqual({ type: "json_object" });
    const streamed = await post({ response_format: { type: "json_object" }, stream: true });
    const text = await streamed.text();
    const content = text
      .split("\n")
      .filter((line) => line.startsWith("data: {"))
      .map((line) => (JSON.parse(line.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }).choices)
      .map((choices) => choices[0]?.delta?.content ?? "")
      .join("");
    expect(JSON.parse(content)).toEqual({ city: "Paris", population: 2 });
  });

  it("text is the default; an unknown type or a JSON format with tools is a 400 naming response_format", async () => {
    const plain = (await (await post({ response_format: { type: "text" } })).json()) as {
      choices: Array<{ message: { content: string } }>;
    };
    expect(plain.choices[0].message.content).toBe("Paris.");
    const unknown = await post({ response_format: { type: "xml" } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(await unknown.json())).toContain("response_format");
    const withTools = await post({
      response_format: { type: "json_object" },
      tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }],
    });
    expect(withTools.status).toBe(400);
    expect(((await withTools.json()) as { error: { param: string } }).error.param).toBe("response_format");
  });
});
