import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import type { ChatResult } from "@langchain/core/outputs";
import { describe, expect, it } from "vitest";
import { PyramidChatModel } from "../../../src/index.js";
import type { PyramidMetadata } from "../../../src/index.js";

const wait = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(new Error("Aborted"));
      },
      { once: true },
    );
  });

/** A model that streams its reply word by word, `msPerWord` apart, and stops when its signal aborts. */
class DripModel extends BaseChatModel {
  sent = 0;
  constructor(readonly fields: { reply: string; msPerWord: number }) {
    super({});
  }
  override _llmType(): string {
    return "drip";
  }
  override async _generate(_messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const words = this.fields.reply.split(" ");
    await wait(words.length * this.fields.msPerWord, options.signal);
    return { generations: [{ text: this.fields.reply, message: new AIMessage(this.fields.reply) }] };
  }
  override async *_streamResponseChunks(
    _messages: BaseMessage[],
    options: this["ParsedCallOptions"],
  ): AsyncGenerator<ChatGenerationChunk> {
    for (const word of this.fields.reply.split(" ")) {
      await wait(this.fields.msPerWord, options.signal);
      this.sent++;
      yield new ChatGenerationChunk({ text: `${word} `, message: new AIMessageChunk({ content: `${word} ` }) });
    }
  }
}

const REPLY = "Start with 12 apples and buy 30 more so 42 then eat 2 and 40 remain so the answer is 40";

describe("a deadline before any member answered in full: the partial outputs stand", () => {
  it("returns the majority of the answers in the members' partial outputs, charged as far as they streamed", async () => {
    const slow = () => new DripModel({ reply: REPLY, msPerWord: 40 });
    const crowd = [slow(), slow(), slow()];
    const oracle = new DripModel({ reply: "The answer is 40", msPerWord: 40 });
    const price = { input: 1, output: 1 };
    const model = new PyramidChatModel({
      crowd: crowd.map((m, i) => ({ name: `small-${i}`, model: m, price })),
      oracle: { name: "big", model: oracle, price },
      task: "math",
      schedule: "anytime",
    });
    const answer = await model.invoke("How many apples?", { deadlineMs: 300 });
    const pyramid = answer.response_metadata.pyramid as PyramidMetadata;
    expect(pyramid.deadline).toBe(true);
    expect(pyramid.tier).toBe(0);
    expect(pyramid.cut?.members.map((m) => m.model).sort()).toEqual(["small-0", "small-1", "small-2"]);
    // Every member was cut mid-stream: none sent the whole reply, each is marked partial with the text it streamed.
    for (const m of crowd) expect(m.sent).toBeLessThan(REPLY.split(" ").length);
    const partial = pyramid.candidates.filter((c) => c.schedule?.partial === true);
    expect(partial.length).toBeGreaterThan(0);
    const first = partial[0];
    expect(first.schedule?.status).toBe("deadline");
    expect(String(answer.content)).not.toBe("");
    // An answer of the streamed prefix (a number said before the deadline), not the reply's final 40.
    expect(["12", "30", "42", "2"]).toContain(first.answer);
    // Charged its input and the tokens streamed (1 USD per 1M each), more than nothing.
    expect(pyramid.cost.total).toBeGreaterThan(0);
    expect(oracle.sent).toBe(0);
  });
});
