import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage, AIMessageChunk } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { ChatGenerationChunk } from "@langchain/core/outputs";
import type { ChatResult } from "@langchain/core/outputs";
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PyramidChatModel } from "../../../src/index.js";
import { TrafficRecorder } from "../../../src/traces/index.js";
import { readTraffic } from "../../../src/traces/read.js";
import type { PyramidMetadata } from "../../../src/index.js";
import type { Ledger } from "../../../src/ledger/index.js";
import { drive, useFakeClock } from "../../helpers/fake_clock.js";

const wait = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error("Aborted"));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/** Streams its reply word by word, `msPerWord` apart (after `delayMs`), honouring its abort signal or not. */
class TimedModel extends BaseChatModel {
  started = 0;
  finished = 0;
  sent = 0;
  startedAt = 0;
  finishedAt = 0;
  constructor(readonly fields: { reply: string; delayMs?: number; msPerWord?: number; honoursAbort?: boolean }) {
    super({});
  }
  override _llmType(): string {
    return "timed";
  }
  private signalFor(signal: AbortSignal | undefined): AbortSignal | undefined {
    return this.fields.honoursAbort === false ? undefined : signal;
  }
  override async _generate(_messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.started++;
    this.startedAt = performance.now();
    const words = this.fields.reply.split(" ").length;
    await wait((this.fields.delayMs ?? 0) + words * (this.fields.msPerWord ?? 0), this.signalFor(options.signal));
    this.finished++;
    this.finishedAt = performance.now();
    return { generations: [{ text: this.fields.reply, message: new AIMessage(this.fields.reply) }] };
  }
  override async *_streamResponseChunks(
    _messages: BaseMessage[],
    options: this["ParsedCallOptions"],
  ): AsyncGenerator<ChatGenerationChunk> {
    this.started++;
    this.startedAt = performance.now();
    const signal = this.signalFor(options.signal);
    await wait(this.fields.delayMs ?? 0, signal);
    for (const word of this.fields.reply.split(" ")) {
      await wait(this.fields.msPerWord ?? 0, signal);
      this.sent++;
      yield new ChatGenerationChunk({ text: `${word} `, message: new AIMessageChunk({ content: `${word} ` }) });
    }
    this.finished++;
    this.finishedAt = performance.now();
  }
}

/** Records what the graph settles per tier (a unit-test ledger; the budgets behind it are tested with the ledger). */
class RecordingLedger implements Ledger {
  readonly settled: { tier: number; costUsd: number }[] = [];
  async hold() {
    return { ok: true as const, remainingUsd: Number.POSITIVE_INFINITY };
  }
  async reserve() {
    return { ok: true as const, remainingUsd: Number.POSITIVE_INFINITY };
  }
  async settle(tier: number, costUsd: number) {
    this.settled.push({ tier, costUsd });
  }
  async release() {}
}

// Time is driven explicitly (fake timers, see test/helpers/fake_clock.ts): the order in which members answer, the
// Oracle's start at the disagreement and the words it streamed before it was cancelled follow from the scripted delays.
useFakeClock();

const price = { input: 1, output: 1 };
const LONG = "Let us compute carefully step by step: 1 plus 2 is 3 and nothing else so the answer is 3";

function pyramid(crowd: TimedModel[], oracle: TimedModel) {
  return new PyramidChatModel({
    crowd: crowd.map((model, i) => ({ name: `small-${i}`, model, price })),
    oracle: { name: "big", model: oracle, price: { input: 10, output: 10 } },
    task: "math",
    speculative: true,
  });
}

describe("speculative escalation: the next tier starts at the first disagreement", () => {
  it("cancels a started Oracle that honours abort when the crowd does not escalate, charging what it streamed", async () => {
    const crowd = [
      new TimedModel({ reply: "The answer is 3", delayMs: 10 }),
      new TimedModel({ reply: "The answer is 4", delayMs: 60 }),
      new TimedModel({ reply: "The answer is 3", delayMs: 400 }),
    ];
    const oracle = new TimedModel({ reply: LONG, msPerWord: 20 });
    const ledger = new RecordingLedger();
    const answer = await drive(pyramid(crowd, oracle).invoke("1 + 2?", { ledger }));
    const meta = answer.response_metadata.pyramid as PyramidMetadata;
    expect(String(answer.content)).toBe("The answer is 3");
    expect(meta.tier).toBe(0);
    // Started at the disagreement (before the third member answered), aborted mid-stream after the decision.
    expect(oracle.started).toBe(1);
    expect(oracle.startedAt).toBeLessThan(crowd[2].finishedAt);
    expect(oracle.finished).toBe(0);
    expect(oracle.sent).toBeGreaterThan(0);
    expect(oracle.sent).toBeLessThan(LONG.split(" ").length);
    const record = meta.speculation?.[0];
    expect(record?.outcome).toBe("cancelled");
    expect(record?.cancelled[0].model).toBe("big");
    expect(record?.cancelled[0].streamedTokens).toBeGreaterThan(0);
    expect(record?.costUsd).toBeGreaterThan(0);
    // Charged through the ledger, as the Oracle tier's cost, and in the answer's cost.
    expect(ledger.settled).toContainEqual({ tier: 1, costUsd: record?.costUsd });
    expect(meta.cost.byTier.oracle).toBe(record?.costUsd);
    const crowdCost = meta.cost.byTier.crowd ?? 0;
    expect(meta.cost.total).toBeCloseTo(crowdCost + (record?.costUsd ?? 0), 15);
  });

  it("does not wait for a started Oracle that ignores abort; it is charged its estimate (it streamed nothing)", async () => {
    const crowd = [
      new TimedModel({ reply: "The answer is 3", delayMs: 10 }),
      new TimedModel({ reply: "The answer is 4", delayMs: 40 }),
      new TimedModel({ reply: "The answer is 3", delayMs: 80 }),
    ];
    const oracle = new TimedModel({ reply: "The answer is 3", delayMs: 3_000, honoursAbort: false });
    const answer = await drive(pyramid(crowd, oracle).invoke("1 + 2?"));
    const meta = answer.response_metadata.pyramid as PyramidMetadata;
    expect(oracle.started).toBe(1);
    // The answer came back while the Oracle's call was still running.
    expect(oracle.finished).toBe(0);
    const record = meta.speculation?.[0];
    expect(record?.outcome).toBe("cancelled");
    expect(record?.cancelled[0].streamedTokens).toBe(0);
    expect(record?.costUsd).toBeGreaterThan(0);
  });

  it("adopts the started Oracle when the crowd escalates: called once, its answer returned, streamed live", async () => {
    const crowd = [
      new TimedModel({ reply: "The answer is 3", delayMs: 10 }),
      new TimedModel({ reply: "The answer is 4", delayMs: 40 }),
      new TimedModel({ reply: "The answer is 5", delayMs: 300 }),
    ];
    const oracle = new TimedModel({ reply: LONG, msPerWord: 5 });
    const model = pyramid(crowd, oracle);
    const answer = await drive(model.invoke("1 + 2?"));
    const meta = answer.response_metadata.pyramid as PyramidMetadata;
    expect(meta.tier).toBe(1);
    expect(String(answer.content).trim()).toBe(LONG);
    expect(oracle.started).toBe(1);
    expect(oracle.startedAt).toBeLessThan(crowd[2].finishedAt);
    expect(meta.speculation?.[0].outcome).toBe("adopted");
    expect(meta.cost.byTier.oracle).toBeGreaterThan(0);
    // Streaming still streams the final answer: the chunks streamed before adoption are replayed first.
    let streamed = "";
    await drive(
      (async () => {
        for await (const chunk of await model.stream("1 + 2?")) streamed += String(chunk.content);
      })(),
    );
    expect(streamed.trim()).toBe(LONG);
  });

  it("records in the production trace which members answered, were cancelled or cut, when, and the speculation", async () => {
    const crowd = [
      new TimedModel({ reply: "The answer is 3", delayMs: 10 }),
      new TimedModel({ reply: "The answer is 4", delayMs: 150 }),
      new TimedModel({ reply: "The answer is 3", delayMs: 600 }),
    ];
    const oracle = new TimedModel({ reply: LONG, msPerWord: 20 });
    const file = join(mkdtempSync(join(tmpdir(), "pyramid-spec-")), "traces.jsonl");
    await drive(pyramid(crowd, oracle).invoke("1 + 2?", { callbacks: [new TrafficRecorder({ traces: file })] }));
    const slow = [
      new TimedModel({ reply: "The answer is 3", delayMs: 10 }),
      new TimedModel({ reply: "The answer is 3", delayMs: 5_000 }),
      new TimedModel({ reply: "The answer is 3", delayMs: 5_000 }),
    ];
    await drive(
      pyramid(slow, new TimedModel({ reply: "The answer is 3" })).invoke("1 + 2?", {
        deadlineMs: 1_000,
        callbacks: [new TrafficRecorder({ traces: file })],
      }),
    );
    const [spec, cut] = readTraffic(file).records.map((r) => r.query);
    expect(spec.candidates.map((c) => c.schedule?.status)).toEqual(["answered", "answered", "answered"]);
    const arrived = spec.candidates.map((c) => c.schedule?.arrivedMs ?? Number.NaN);
    expect(arrived[0]).toBeLessThan(arrived[1]);
    expect(arrived[1]).toBeLessThan(arrived[2]);
    expect(spec.speculation?.[0]).toMatchObject({ tierName: "oracle", outcome: "cancelled" });
    expect(spec.speculation?.[0].cancelled[0].streamedTokens).toBeGreaterThan(0);
    expect(cut.deadline).toBe(true);
    expect(cut.cut?.members.map((m) => m.model)).toEqual(["small-1", "small-2"]);
    expect(cut.candidates.map((c) => c.schedule?.status)).toEqual(["answered", "deadline", "deadline"]);
  });
});
