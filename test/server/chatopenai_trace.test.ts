import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChatOpenAI } from "@langchain/openai";
import type { AIMessageChunk } from "@langchain/core/messages";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import type { PyramidServer } from "../../src/server/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

// Point 7 of issue #13: LangChain's ChatOpenAI, as a client of `pyramid-moa serve`, gets the routing trace.

let server: PyramidServer;
let client: ChatOpenAI;

beforeAll(async () => {
  const s = (name: string, reply: string) => new ScriptedChatModel({ name, reply });
  const model = new PyramidChatModel({
    crowd: [s("small-a", "1"), s("small-b", "2"), s("small-c", "3")],
    oracle: s("big", "The answer is 30."),
    task: "math",
  });
  server = createPyramidServer({ model, token: "t0ken" });
  const { url } = await server.listen(0, "127.0.0.1");
  client = new ChatOpenAI({
    model: "pyramid-moa",
    apiKey: "t0ken",
    maxRetries: 0,
    configuration: { baseURL: `${url}/v1` },
  });
});

afterAll(async () => {
  await server.close();
});

function checkTrace(trace: PyramidMetadata | undefined): void {
  expect(trace).toBeDefined();
  expect(trace?.escalated).toBe(true);
  expect(trace?.tierName).toBe("oracle");
  expect(trace?.candidates.map((c) => c.model)).toEqual(["small-a", "small-b", "small-c", "big"]);
}

describe("ChatOpenAI against pyramid-moa serve", () => {
  it("invoke: the trace is in response_metadata.usage.pyramid", async () => {
    const answer = await client.invoke("What is 5 * 6?");
    expect(answer.content).toBe("The answer is 30.");
    checkTrace((answer.response_metadata.usage as { pyramid?: PyramidMetadata }).pyramid);
  });

  it("stream: the trace is on the usage chunk, kept in the merged message's response_metadata.usage.pyramid", async () => {
    let merged: AIMessageChunk | undefined;
    for await (const chunk of await client.stream("What is 5 * 6?")) merged = merged ? merged.concat(chunk) : chunk;
    expect(merged?.content).toBe("The answer is 30.");
    checkTrace((merged?.response_metadata.usage as { pyramid?: PyramidMetadata } | undefined)?.pyramid);
  });
});
