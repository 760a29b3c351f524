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

describe("an apex that dies mid-stream", () => {
  // Its first tokens were already sent, so the stream cannot carry the fallback answer coherently: it ends with a
  // ModelCallError that says so and carries the crowd's answer; invoke() returns the fallback, marked degraded.
  it("ends the stream with an error carrying the fallback, while invoke degrades to the crowd", async () => {
    const model = new PyramidChatModel({
      crowd: [new ScriptedChatModel({ name: "a", reply: "5" }), new ScriptedChatModel({ name: "b", reply: "6" })],
      oracle: new MidStreamFailure({}),
      policy: { threshold: 0.1 },
      task: "math",
    });
    let streamed = "";
    await expect(
      (async () => {
        for await (const chunk of await model.stream("q")) streamed += String(chunk.content);
      })(),
    ).rejects.toThrow(/failed mid-stream after 3 chunks.*answer was: 5/);
    expect(streamed).toBe("Partial apex answer ");
    const invoked = await model.invoke("q");
    expect(invoked.content).toBe("5");
    expect((invoked.response_metadata.pyramid as PyramidMetadata).degraded).toBe(true);
  });
});
