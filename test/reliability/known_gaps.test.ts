import { describe, expect, it } from "vitest";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import type { ChatResult } from "@langchain/core/outputs";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";
import { httpError } from "./fault_model.js";

/** An apex that streams three tokens, then its connection dies (HTTP 500 mid-stream). */
class MidStreamFailure extends BaseChatModel {
  override _llmType(): string {
    return "mid-stream-failure";
  }
  override getLsParams(options: this["ParsedCallOptions"]) {
    return { ...super.getLsParams(options), ls_model_name: "big" };
  }
  override async _generate(): Promise<ChatResult> {
    throw httpError(500, "500 upstream died");
  }
  override async *_streamResponseChunks(): AsyncGenerator<ChatGenerationChunk> {
    for (const token of ["Partial ", "apex ", "answer "]) {
      yield new ChatGenerationChunk({ text: token, message: new AIMessageChunk({ content: token }) });
    }
    throw httpError(500, "500 upstream died mid-stream");
  }
}

describe("known gaps (each test states the wanted behaviour and is marked .fails until it holds)", () => {
  // Today the stream carries "Partial apex answer 5": the apex's live tokens, then the crowd's fallback answer
  // (onApexError "crowd"), while invoke() returns "5". Fix belongs in src/chat_models/pyramid.ts (e.g. do not
  // stream the apex live when it may still fall back, or throw instead of appending a second answer).
  it.fails("a streamed query whose apex dies mid-stream carries one coherent answer", async () => {
    const model = new PyramidChatModel({
      crowd: [new ScriptedChatModel({ name: "a", reply: "5" }), new ScriptedChatModel({ name: "b", reply: "6" })],
      oracle: new MidStreamFailure({}),
      policy: { threshold: 0.1 },
      task: "math",
    });
    let streamed = "";
    let last: AIMessageChunk | undefined;
    for await (const chunk of await model.stream("q")) {
      streamed += String(chunk.content);
      last = chunk;
    }
    expect((last?.response_metadata.pyramid as PyramidMetadata).degraded).toBe(true);
    const invoked = await model.invoke("q");
    expect(streamed).toBe(invoked.content);
  });
});
