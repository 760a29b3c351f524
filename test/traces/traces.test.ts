import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { BudgetTracker, PyramidChatModel, PyramidConfigError } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { readTraffic } from "../../src/traces/read.js";
import { TrafficRecorder } from "../../src/traces/index.js";
import { RunnableLambda } from "@langchain/core/runnables";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

const dir = mkdtempSync(join(tmpdir(), "pyramid-traces-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const meta = (message: { response_metadata: Record<string, unknown> }): PyramidMetadata =>
  message.response_metadata.pyramid as PyramidMetadata;

/** "What is a + b?" answered with a + b by every member, except `wrong` members, which add 1 when b is odd. */
function member(name: string, wrong = false): ScriptedChatModel {
  return new ScriptedChatModel({
    name,
    reply: (messages) => {
      const text = JSON.stringify(messages.map((m) => m.content));
      const match = /What is (\d+) \+ (\d+)/.exec(text);
      const [a, b] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
      return `The answer is ${a + b + (wrong && b % 2 === 1 ? 1 : 0)}.`;
    },
  });
}

/** An apex that answers only once the test opens its gate: events, not clocks, decide the order. */
class GatedApex extends BaseChatModel {
  readonly events: string[] = [];
  private open!: () => void;
  private readonly gate = new Promise<void>((resolve) => {
    this.open = resolve;
  });
  override _llmType(): string {
    return "gated";
  }
  release(): void {
    this.open();
  }
  override async _generate(): Promise<ChatResult> {
    this.events.push("apex called");
    await this.gate;
    this.events.push("apex answered");
    const message = new AIMessage({
      content: "The answer is 5.",
      usage_metadata: { input_tokens: 10, output_tokens: 5, total_tokens: 15 },
    });
    return { generations: [{ text: "The answer is 5.", message }] };
  }
}

const prices = {
  a: { input: 1, output: 1 },
  b: { input: 1, output: 1 },
  c: { input: 1, output: 1 },
  big: { input: 10, output: 10 },
};

describe("production traces", () => {
  it("writes one whole line per query under concurrent load, joined with feedback", async () => {
    const file = join(dir, "load.jsonl");
    const recorder = new TrafficRecorder({ traces: file });
    const model = new PyramidChatModel({
      crowd: [member("a"), member("b"), member("c", true)].map((m, i) => ({ name: ["a", "b", "c"][i], model: m })),
      oracle: { name: "big", model: member("big") },
      task: "math",
      prices,
      policy: { threshold: 0.2 },
      callbacks: [recorder],
    });
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => model.invoke(`What is ${i} + ${i % 7}?`)));
    const ids = answers.map((answer) => meta(answer).traceId);
    expect(new Set(ids).size).toBe(200);
    recorder.feedback(ids[3] as string, true);
    const lines = readFileSync(file, "utf8").split("\n").filter(Boolean);
    expect(lines).toHaveLength(201);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const log = readTraffic(file);
    expect(log.records).toHaveLength(200);
    const byId = new Map(log.records.map((r) => [r.query.id, r]));
    expect(byId.get(ids[3] as string)?.feedback?.correct).toBe(true);
    // b odd: member c is wrong, the crowd splits 2-1 (P_fail 1/3 > 0.2) and the query goes to the apex.
    const odd = byId.get(ids[1] as string)?.query;
    expect(odd?.escalated).toBe(true);
    expect(odd?.crowdAnswer).toBe("2");
    expect(odd?.apexAnswer).toBe("2");
    expect(odd?.candidates.map((c) => c.answer)).toEqual(["2", "2", "3", "2"]);
    expect(odd?.featureNames).toContain("vote_share");
    expect(odd?.cost.total).toBeGreaterThan(odd?.cost.crowd ?? Number.POSITIVE_INFINITY);
    const even = byId.get(ids[0] as string)?.query;
    expect(even?.escalated).toBe(false);
    expect(even?.apexAnswer).toBeNull();
    expect(even?.content).toBeUndefined();
  });

  it("rotates by size without losing a line, and the reader reads every file", async () => {
    const file = join(dir, "rotate", "traffic.jsonl");
    const model = new PyramidChatModel({
      crowd: [member("a"), member("b")],
      oracle: member("big"),
      task: "math",
      callbacks: [new TrafficRecorder({ traces: { path: file, maxBytes: 4000, maxFiles: 1000 } })],
    });
    await Promise.all(Array.from({ length: 40 }, (_, i) => model.invoke(`What is ${i} + 2?`)));
    const files = readdirSync(join(dir, "rotate"));
    expect(files.length).toBeGreaterThan(2);
    expect(readTraffic(file).records).toHaveLength(40);
  });

  it("records prompts and answers only with content: true, secrets redacted", async () => {
    const file = join(dir, "content.jsonl");
    const model = new PyramidChatModel({
      crowd: [member("a"), member("b")],
      oracle: member("big"),
      task: "math",
      callbacks: [new TrafficRecorder({ traces: { path: file, content: true } })],
    });
    await model.invoke("What is 1 + 2? my key is sk-abcdefghijklmnopqrstuvwx");
    const [record] = readTraffic(file).records;
    expect(record.query.content?.prompt).toContain("What is 1 + 2?");
    expect(record.query.content?.prompt).not.toContain("sk-abcdefghijklmnopqrstuvwx");
    expect(record.query.content?.answer).toBe("The answer is 3.");
  });

  it("rejects bad options and feedback without traces, naming the field", () => {
    expect(() => new TrafficRecorder({ shadow: { rate: 0.2 } })).toThrow(/shadow: needs traces/);
    expect(() => new TrafficRecorder({ traces: join(dir, "x.jsonl"), shadow: { rate: 2 } })).toThrow(/shadow\.rate/);
    const plain = new TrafficRecorder({});
    expect(() => plain.feedback("q_1", true)).toThrow(PyramidConfigError);
    const traced = new TrafficRecorder({ traces: join(dir, "fb.jsonl") });
    expect(() => traced.feedback("", true)).toThrow(/feedback\.id/);
  });

  it("records a pyramid inside any chain it is attached to, and nothing without it", async () => {
    const file = join(dir, "chain.jsonl");
    const recorder = new TrafficRecorder({ traces: file });
    const model = new PyramidChatModel({ crowd: [member("a"), member("b")], oracle: member("big"), task: "math" });
    const chain = RunnableLambda.from((q: string) => `What is ${q}?`).pipe(model);
    const answer = await chain.invoke("4 + 5", { callbacks: [recorder] });
    expect(meta(answer).traceId).toMatch(/^q_/);
    const untraced = await chain.invoke("1 + 1");
    expect(meta(untraced).traceId).toBeUndefined();
    const records = readTraffic(file).records;
    expect(records.map((r) => r.query.id)).toEqual([meta(answer).traceId]);
    expect(records[0].query.crowdAnswer).toBe("9");
  });
});

describe("shadow sampling", () => {
  it("returns the answer before the shadow call to a slow apex starts, then records the apex's agreement and cost", async () => {
    const file = join(dir, "shadow.jsonl");
    const recorder = new TrafficRecorder({ traces: file, shadow: { rate: 1, seed: 3 } });
    const apex = new GatedApex({});
    const model = new PyramidChatModel({
      crowd: [member("a"), member("b"), member("c")].map((m, i) => ({ name: ["a", "b", "c"][i], model: m })),
      oracle: { name: "big", model: apex },
      task: "math",
      prices,
      callbacks: [recorder],
    });
    const answer = await model.invoke("What is 2 + 3?");
    apex.events.push("answer returned");
    expect(answer.content).toBe("The answer is 5.");
    expect(meta(answer).escalated).toBe(false);
    expect(meta(answer).shadow).toBe(true);
    expect(meta(answer).cost.byTier.oracle).toBeUndefined();
    // The shadow call starts on a later turn of the event loop; it is waiting on the gate, the answer is out.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(apex.events).toEqual(["answer returned", "apex called"]);
    expect(readTraffic(file).records[0].shadow).toBeUndefined();
    apex.release();
    await recorder.drain();
    expect(apex.events).toEqual(["answer returned", "apex called", "apex answered"]);
    const [record] = readTraffic(file).records;
    expect(record.query.shadowScheduled).toBe(true);
    expect(record.shadow?.apexAnswer).toBe("5");
    expect(record.shadow?.agrees).toBe(true);
    expect(record.shadow?.costUsd).toBeGreaterThan(0);
    expect(recorder.shadowStats).toMatchObject({ scheduled: 1, completed: 1, skipped: 0 });
    expect(recorder.shadowStats.costUsd).toBe(record.shadow?.costUsd);
  });

  it("draws about the rate among kept queries only, bounded concurrency, and skips when the budget would be exceeded", async () => {
    const file = join(dir, "rate.jsonl");
    const recorder = new TrafficRecorder({
      traces: file,
      shadow: { rate: 0.25, seed: 7, maxConcurrency: 1, maxQueued: 5 },
    });
    const model = new PyramidChatModel({
      crowd: [member("a"), member("b"), member("c", true)],
      oracle: member("big"),
      task: "math",
      policy: { threshold: 0.2 },
      callbacks: [recorder],
    });
    await Promise.all(Array.from({ length: 200 }, (_, i) => model.invoke(`What is ${i} + ${i % 5}?`)));
    await recorder.drain();
    const records = readTraffic(file).records;
    expect(records.filter((r) => r.query.reachedApex)).toHaveLength(80);
    expect(records.filter((r) => r.query.reachedApex && r.query.shadowScheduled)).toHaveLength(0);
    const shadowed = records.filter((r) => r.shadow);
    expect(shadowed.length).toBeGreaterThan(15);
    expect(shadowed.length).toBeLessThan(50);
    // One call at a time, at most 5 waiting: the draws beyond are skipped, not queued without bound.
    const skipped = shadowed.filter((r) => r.shadow?.skipped);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.every((r) => /5 shadow calls already waiting/.test(r.shadow?.skipped ?? ""))).toBe(true);
    expect(shadowed.filter((r) => !r.shadow?.skipped).every((r) => r.shadow?.agrees === true)).toBe(true);
    expect(recorder.shadowStats.completed + recorder.shadowStats.skipped).toBe(recorder.shadowStats.scheduled);

    const budget = new BudgetTracker(0);
    const broke = new PyramidChatModel({
      crowd: [member("a"), member("b")],
      oracle: { model: member("big"), price: { input: 1, output: 1 } },
      task: "math",
      budget,
    });
    const brokeRecorder = new TrafficRecorder({ traces: join(dir, "budget.jsonl"), shadow: { rate: 1 } });
    await broke.invoke("What is 1 + 1?", { callbacks: [brokeRecorder] });
    await brokeRecorder.drain();
    const [record] = readTraffic(join(dir, "budget.jsonl")).records;
    expect(record.shadow?.skipped).toMatch(/budget would be exceeded/);
    expect(brokeRecorder.shadowStats).toMatchObject({ scheduled: 1, completed: 0, skipped: 1, costUsd: 0 });
  });
});
