import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessageChunk } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import type { ChatResult } from "@langchain/core/outputs";
import { describe, expect, it, vi } from "vitest";
import { PyramidChatModel } from "../../../src/index.js";
import type { PyramidMetadata } from "../../../src/index.js";
import { useFakeClock } from "../../helpers/fake_clock.js";

// Time is driven explicitly: the deadline's timer and clock are vitest's fake timers (test/helpers/fake_clock.ts),
// advanced past the deadline only once every member has streamed its prefix and is blocked; so what each member
// streamed before the cut is fixed, however loaded the machine (no count of real-time ticks before a real deadline).

/** Resolves when `signal` aborts (never otherwise): a member still "thinking" until it is cut. */
const untilAborted = (signal: AbortSignal | undefined): Promise<never> =>
  new Promise<never>((_, reject) => {
    if (signal === undefined) return;
    if (signal.aborted) reject(new Error("Aborted"));
    signal.addEventListener("abort", () => reject(new Error("Aborted")), { once: true });
  });

/**
 * A model that streams the first `streamed` words of its reply at once, then blocks until its signal aborts (it never
 * finishes its reply on its own): `blocked` resolves when it has sent its prefix and waits.
 */
class PrefixModel extends BaseChatModel {
  sent = 0;
  calls = 0;
  private readonly onBlocked: () => void;
  readonly blocked: Promise<void>;
  constructor(readonly fields: { reply: string; streamed: number }) {
    super({});
    let resolve: () => void = () => undefined;
    this.blocked = new Promise<void>((r) => {
      resolve = r;
    });
    this.onBlocked = resolve;
  }
  override _llmType(): string {
    return "prefix";
  }
  override async _generate(_messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.calls++;
    this.onBlocked();
    return untilAborted(options.signal);
  }
  override async *_streamResponseChunks(
    _messages: BaseMessage[],
    options: this["ParsedCallOptions"],
  ): AsyncGenerator<ChatGenerationChunk> {
    this.calls++;
    for (const word of this.fields.reply.split(" ").slice(0, this.fields.streamed)) {
      this.sent++;
      yield new ChatGenerationChunk({ text: `${word} `, message: new AIMessageChunk({ content: `${word} ` }) });
    }
    // Asked for the next chunk: the pyramid has taken every chunk above.
    this.onBlocked();
    await untilAborted(options.signal);
  }
}

const REPLY = "Start with 12 apples and buy 30 more so 42 then eat 2 and 40 remain so the answer is 40";
/** Words each member streams before the deadline: "Start with 12 apples and buy 30 more so 42". */
const PREFIX = 10;

useFakeClock();

describe("a deadline before any member answered in full: the partial outputs stand", () => {
  it("returns the majority of the answers in the members' partial outputs, charged as far as they streamed", async () => {
    const crowd = [0, 1, 2].map(() => new PrefixModel({ reply: REPLY, streamed: PREFIX }));
    const oracle = new PrefixModel({ reply: "The answer is 40", streamed: 4 });
    const price = { input: 1, output: 1 };
    const model = new PyramidChatModel({
      crowd: crowd.map((m, i) => ({ name: `small-${i}`, model: m, price })),
      oracle: { name: "big", model: oracle, price },
      task: "math",
      schedule: "anytime",
    });
    const pending = model.invoke("How many apples?", { deadlineMs: 300 });
    await Promise.all(crowd.map((m) => m.blocked));
    // Not yet: the clock stands before the deadline, so the query waits on its members.
    await vi.advanceTimersByTimeAsync(299);
    expect(crowd.map((m) => m.sent)).toEqual([PREFIX, PREFIX, PREFIX]);
    await vi.advanceTimersByTimeAsync(1);
    const answer = await pending;
    const pyramid = answer.response_metadata.pyramid as PyramidMetadata;
    expect(pyramid.deadline).toBe(true);
    expect(pyramid.tier).toBe(0);
    expect(pyramid.cut?.members.map((m) => m.model).sort()).toEqual(["small-0", "small-1", "small-2"]);
    // Every member was cut mid-stream (each streamed its prefix only), marked partial with the text it streamed.
    expect(crowd.map((m) => m.sent)).toEqual([PREFIX, PREFIX, PREFIX]);
    expect(PREFIX).toBeLessThan(REPLY.split(" ").length);
    const partial = pyramid.candidates.filter((c) => c.schedule?.partial === true);
    expect(partial).toHaveLength(3);
    for (const c of partial) {
      expect(c.schedule?.status).toBe("deadline");
      // The answer of the streamed prefix (its last number said), not the reply's final 40.
      expect(c.answer).toBe("42");
    }
    expect(String(answer.content)).not.toBe("");
    // Charged its input and the tokens streamed (1 USD per 1M each), more than nothing.
    expect(pyramid.cost.total).toBeGreaterThan(0);
    expect(oracle.calls).toBe(0);
  });
});
