import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { AIMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import type { Candidate } from "../../src/core/types.js";
import { isSettled } from "../../src/graph/schedule/settle.js";
import { waveSizes } from "../../src/graph/schedule/schedule.js";
import { AgreementRouter } from "../../src/router/agreement.js";
import { readTraffic } from "../../src/traces/read.js";
import { TrafficRecorder } from "../../src/traces/index.js";
import { drive, useFakeClock } from "../helpers/fake_clock.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

const meta = (message: { response_metadata: Record<string, unknown> }): PyramidMetadata =>
  message.response_metadata.pyramid as PyramidMetadata;

/** A model that answers after `delayMs`, honouring its abort signal or not, and records what happened to its call. */
class ClockedModel extends BaseChatModel {
  started = 0;
  finished = 0;
  signalFired = 0;
  constructor(readonly fields: { name: string; reply: string; delayMs: number; honoursAbort: boolean }) {
    super({});
  }
  override _llmType(): string {
    return "clocked";
  }
  override async _generate(_messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    this.started++;
    const signal = options.signal;
    signal?.addEventListener("abort", () => this.signalFired++, { once: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, this.fields.delayMs);
      if (this.fields.honoursAbort)
        signal?.addEventListener(
          "abort",
          () => {
            clearTimeout(timer);
            reject(new Error("Aborted"));
          },
          { once: true },
        );
    });
    this.finished++;
    const message = new AIMessage(this.fields.reply);
    return { generations: [{ text: this.fields.reply, message }] };
  }
}

function candidate(index: number, answer: string | null, extra: Partial<Candidate> = {}): Candidate {
  return {
    model: `m${index}`,
    tier: 0,
    index,
    text: answer ?? "",
    answer,
    display: answer,
    attempts: 1,
    latencyMs: 1,
    usage: { input: 1, output: 1, estimated: true },
    costUsd: 0,
    ...extra,
  };
}

const router = new AgreementRouter();
const settledAt = (threshold: number, present: (Candidate | undefined)[]) =>
  isSettled(present, { router, threshold, lower: [] });

describe("isSettled: exact settlement for the agreement router", () => {
  it("settles two agreeing of three at threshold 0.5 (no third answer can reach P_fail > 0.5)", () => {
    expect(settledAt(0.5, [candidate(0, "18"), candidate(1, "18"), undefined])).toBe(true);
  });

  it("does not settle two agreeing of three at threshold 0.2 (a dissenting third gives P_fail = 1/3)", () => {
    expect(settledAt(0.2, [candidate(0, "18"), candidate(1, "18"), undefined])).toBe(false);
  });

  it("does not settle a disagreement, nor a single answer", () => {
    expect(settledAt(0.5, [candidate(0, "1"), candidate(1, "2"), undefined])).toBe(false);
    expect(settledAt(0.5, [candidate(0, "1"), undefined, undefined])).toBe(false);
  });

  it("respects the vote's tie-break by member order: a missing first member can still change the majority", () => {
    // Members 1 and 2 disagree; at threshold 0.99 nothing escalates, but member 0 decides which key wins.
    expect(settledAt(0.99, [undefined, candidate(1, "A"), candidate(2, "B")])).toBe(false);
    // Members 0 and 1 agree: whatever member 2 says, "A" stays the majority and P_fail <= 1/2 < 0.99.
    expect(settledAt(0.99, [candidate(0, "A"), candidate(1, "A"), undefined])).toBe(true);
  });

  it("counts an answer without a key in the denominator of vote_share (members that answered)", () => {
    // 2 of 4 agree and one answered without a key: a fourth member failing leaves 2/3, answering "B" gives 2/4.
    const present = [candidate(0, "A"), candidate(1, "A"), candidate(2, null), undefined];
    expect(settledAt(0.4, present)).toBe(false); // 1 - 2/4 = 0.5 > 0.4 but 1 - 2/3 = 0.33 <= 0.4
    expect(settledAt(0.5, present)).toBe(true); // at most 0.5, never > 0.5
  });

  it("never settles early for a router that does not say which features it reads", () => {
    const learned = { predict: () => 0 };
    expect(
      isSettled([candidate(0, "A"), candidate(1, "A"), undefined], { router: learned, threshold: 0.5, lower: [] }),
    ).toBe(false);
    expect(isSettled([candidate(0, "A"), candidate(1, "A")], { router: learned, threshold: 0.5, lower: [] })).toBe(
      true,
    );
  });

  it("forms waves of a majority then one member at a time", () => {
    expect(waveSizes(3)).toEqual([2, 1]);
    expect(waveSizes(5)).toEqual([3, 1, 1]);
    expect(waveSizes(1)).toEqual([1]);
  });
});

describe("crowd schedules through PyramidChatModel", () => {
  // The members' delays are on a fake clock (test/helpers/fake_clock.ts): who answers first does not depend on load.
  useFakeClock();

  it("anytime: decides when two agree, cancels the slow member through its signal; it never finishes", async () => {
    const fast = [0, 1].map((i) => new ClockedModel({ name: `f${i}`, reply: "42", delayMs: 5, honoursAbort: true }));
    const slow = new ClockedModel({ name: "slow", reply: "7", delayMs: 5_000, honoursAbort: true });
    const oracle = new ScriptedChatModel({ name: "big", reply: "42" });
    const model = new PyramidChatModel({
      crowd: [
        { name: "f0", model: fast[0] },
        { name: "f1", model: fast[1] },
        { name: "slow", model: slow },
      ],
      oracle,
      task: "math",
      schedule: "anytime",
    });
    const answer = await drive(model.invoke("?"));
    expect(answer.content).toBe("42");
    expect(slow.started).toBe(1);
    expect(slow.signalFired).toBe(1);
    const pyramid = meta(answer);
    expect(pyramid.escalated).toBe(false);
    const statuses = pyramid.candidates.map((c) => c.schedule?.status);
    expect(statuses).toEqual(["answered", "answered", "cancelled"]);
    expect(pyramid.candidates[0].schedule?.arrivedMs).toBeGreaterThanOrEqual(0);
    expect(pyramid.candidates[2].schedule?.arrivedMs).toBeUndefined();
    expect(pyramid.features.vote_share).toBe(1); // the cancelled member did not answer: its features are NaN
    expect(Number.isNaN(pyramid.features.agrees_with_majority_2)).toBe(true);
    // Long enough for the slow call to have finished, had it kept running after the decision.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(slow.finished).toBe(0); // no call kept running after the decision
  });

  it("anytime: a cancelled member that streamed nothing is charged its estimate for the query", async () => {
    const fast = [0, 1].map((i) => new ClockedModel({ name: `f${i}`, reply: "42", delayMs: 5, honoursAbort: true }));
    const slow = new ClockedModel({ name: "slow", reply: "7", delayMs: 5_000, honoursAbort: true });
    const model = new PyramidChatModel({
      crowd: [
        { name: "f0", model: fast[0] },
        { name: "f1", model: fast[1] },
        // 3 and 5 USD per million input and output tokens.
        { name: "slow", model: slow, price: { input: 3, output: 5 } },
      ],
      oracle: new ScriptedChatModel({ name: "big", reply: "42" }),
      task: "math",
      schedule: "anytime",
    });
    // A 40-character prompt is 10 tokens (4 characters a token); with no lower tier the estimate assumes as many
    // output tokens: (10 * 3 + 10 * 5) / 1e6 USD. Its provider bills the input whether or not the call completes.
    const pyramid = meta(await drive(model.invoke("x".repeat(40))));
    const cancelled = pyramid.candidates[2];
    expect(cancelled.schedule?.status).toBe("cancelled");
    expect(cancelled.costUsd).toBeCloseTo(80e-6, 15);
    expect(pyramid.cost.byTier.crowd).toBeCloseTo(80e-6, 15);
  });

  it("anytime: a member that ignores its abort signal is not waited for", async () => {
    const fast = [0, 1].map((i) => new ClockedModel({ name: `f${i}`, reply: "42", delayMs: 5, honoursAbort: true }));
    const deaf = new ClockedModel({ name: "deaf", reply: "7", delayMs: 1_500, honoursAbort: false });
    const model = new PyramidChatModel({
      crowd: [
        { name: "f0", model: fast[0] },
        { name: "f1", model: fast[1] },
        { name: "deaf", model: deaf },
      ],
      oracle: new ScriptedChatModel({ name: "big", reply: "42" }),
      task: "math",
      schedule: "anytime",
    });
    const answer = await drive(model.invoke("?"));
    // The pyramid answered while the deaf member was still running (it was told to stop, and ignored it).
    expect(deaf.signalFired).toBe(1);
    expect(deaf.finished).toBe(0);
    expect(meta(answer).candidates[2].schedule?.status).toBe("cancelled");
  });

  it("anytime: waits for the third member when the first two disagree, then escalates on a three-way split", async () => {
    const members = ["1", "2", "3"].map(
      (reply, i) => new ClockedModel({ name: `m${i}`, reply, delayMs: 5 + 10 * i, honoursAbort: true }),
    );
    const oracle = new ScriptedChatModel({ name: "big", reply: "3" });
    const model = new PyramidChatModel({
      crowd: members.map((m, i) => ({ name: `m${i}`, model: m })),
      oracle,
      task: "math",
      schedule: "anytime",
    });
    const pyramid = meta(await drive(model.invoke("?")));
    expect(members.map((m) => m.finished)).toEqual([1, 1, 1]);
    expect(pyramid.escalated).toBe(true);
    expect(oracle.calls).toHaveLength(1);
  });

  it("waves: never calls the third (most expensive) member when the two cheapest agree", async () => {
    const priced = (name: string, reply: string, usd: number) => ({
      name,
      model: new ScriptedChatModel({ name, reply }),
      price: { input: usd, output: usd },
    });
    const crowd = [priced("dear", "5", 9), priced("cheap", "42", 1), priced("mid", "42", 2)];
    const model = new PyramidChatModel({
      crowd,
      oracle: new ScriptedChatModel({ name: "big", reply: "42" }),
      task: "math",
      schedule: "waves",
    });
    const answer = await drive(model.invoke("?"));
    expect(answer.content).toBe("42");
    expect((crowd[0].model as ScriptedChatModel).calls).toHaveLength(0);
    expect((crowd[1].model as ScriptedChatModel).calls).toHaveLength(1);
    const pyramid = meta(answer);
    expect(pyramid.candidates.map((c) => c.schedule?.status)).toEqual(["not_called", "answered", "answered"]);
    expect(pyramid.cost.byTier.crowd).toBe(pyramid.candidates[1].costUsd + pyramid.candidates[2].costUsd);
  });

  it("waves: calls the next member when the cheapest two disagree", async () => {
    const priced = (name: string, reply: string, usd: number) => ({
      name,
      model: new ScriptedChatModel({ name, reply }),
      price: { input: usd, output: usd },
    });
    const crowd = [priced("a", "5", 1), priced("b", "42", 2), priced("c", "42", 3)];
    const oracle = new ScriptedChatModel({ name: "big", reply: "42" });
    const model = new PyramidChatModel({ crowd, oracle, task: "math", schedule: "waves" });
    const pyramid = meta(await drive(model.invoke("?")));
    expect(pyramid.candidates.map((c) => c.schedule?.status)).toEqual(["answered", "answered", "answered"]);
    expect(pyramid.pFail).toBeCloseTo(1 / 3, 12);
    expect(oracle.calls).toHaveLength(0);
  });

  it("parallel (the default) records no schedule on its candidates", async () => {
    const model = new PyramidChatModel({
      crowd: ["1", "1", "2"].map((reply, i) => new ScriptedChatModel({ name: `s${i}`, reply })),
      oracle: new ScriptedChatModel({ name: "big", reply: "1" }),
      task: "math",
    });
    const pyramid = meta(await drive(model.invoke("?")));
    expect(pyramid.candidates.every((c) => c.schedule === undefined)).toBe(true);
    expect(model.spec.tiers.map((t) => t.schedule)).toEqual(["parallel", "parallel"]);
  });
});

describe("deadlineMs: the best answer held when the deadline passes", () => {
  // The members' delays and the deadline are on a fake clock (test/helpers/fake_clock.ts): the fast members answer
  // before the deadline and the slow ones do not, however loaded the machine.
  useFakeClock();
  const clocked = (name: string, reply: string, delayMs: number) =>
    ({ name, model: new ClockedModel({ name, reply, delayMs, honoursAbort: true }) }) as const;

  it("cuts the slow crowd members and returns the majority of the answers in hand (setting)", async () => {
    const crowd = [clocked("f", "42", 5), clocked("s1", "7", 5_000), clocked("s2", "8", 5_000)];
    const oracle = new ScriptedChatModel({ name: "big", reply: "9" });
    const model = new PyramidChatModel({ crowd, oracle, task: "math", deadlineMs: 300 });
    const answer = await drive(model.invoke("?"));
    expect(answer.content).toBe("42");
    expect(oracle.calls).toHaveLength(0);
    const pyramid = meta(answer);
    expect(pyramid.deadline).toBe(true);
    expect(pyramid.cut?.members).toEqual([
      { tier: 0, model: "s1" },
      { tier: 0, model: "s2" },
    ]);
    // The one answer in hand is unanimous among the members that answered: the policy itself stops at the crowd.
    expect(pyramid.cut?.tiers).toEqual(["crowd"]);
    expect(crowd[1].model.signalFired).toBe(1);
    expect(crowd[1].model.finished).toBe(0);
  });

  it("does not escalate a split crowd that the deadline cut: the majority in hand stands", async () => {
    const crowd = [clocked("f1", "42", 5), clocked("f2", "7", 5), clocked("s", "7", 5_000)];
    const oracle = new ScriptedChatModel({ name: "big", reply: "9" });
    const model = new PyramidChatModel({
      crowd,
      oracle,
      task: "math",
      schedule: "anytime",
      deadlineMs: 300,
      policy: { threshold: 0.4 }, // P_fail 1/2 of the answers in hand would escalate
    });
    const answer = await drive(model.invoke("?"));
    expect(answer.content).toBe("42"); // a 1-1 tie in hand goes to the first member
    expect(oracle.calls).toHaveLength(0);
    const pyramid = meta(answer);
    expect(pyramid.decisions[0].reason).toContain("deadline");
    expect(pyramid.cut?.tiers).toEqual(["oracle", "crowd"]);
    expect(pyramid.cut?.members).toEqual([{ tier: 0, model: "s" }]);
  });

  it("cuts a slow apex and returns the crowd's answer (per-call option, parallel schedule)", async () => {
    const crowd = [clocked("a", "1", 5), clocked("b", "2", 5), clocked("c", "3", 5)];
    const oracle = new ClockedModel({ name: "big", reply: "3", delayMs: 5_000, honoursAbort: true });
    const model = new PyramidChatModel({ crowd, oracle: { name: "big", model: oracle }, task: "math" });
    const answer = await drive(model.invoke("?", { deadlineMs: 400 }));
    expect(answer.content).toBe("1"); // the crowd's majority (a three-way tie goes to the first member)
    const pyramid = meta(answer);
    expect(pyramid.deadline).toBe(true);
    expect(pyramid.degraded).toBeUndefined();
    expect(pyramid.cut?.members).toEqual([{ tier: 1, model: "big" }]);
    expect(pyramid.cut?.tiers).toEqual(["oracle"]);
    expect(oracle.signalFired).toBe(1);
    expect(oracle.finished).toBe(0);
  });

  it("returns the apex's answer, unmarked, when it arrives in time", async () => {
    const crowd = [clocked("a", "1", 5), clocked("b", "2", 5), clocked("c", "3", 5)];
    const model = new PyramidChatModel({ crowd, oracle: clocked("big", "3", 5), task: "math", deadlineMs: 60_000 });
    const answer = await drive(model.invoke("?"));
    expect(answer.content).toBe("3");
    expect(meta(answer).deadline).toBeUndefined();
  });

  it("refuses a deadline that is not a positive number of milliseconds", async () => {
    const model = new PyramidChatModel({ crowd: [clocked("a", "1", 1)], oracle: clocked("big", "3", 1) });
    await expect(model.invoke("?", { deadlineMs: -5 })).rejects.toThrow(/deadlineMs/);
  });
});

describe("the trace line records the schedule", () => {
  it("writes each member's status and arrival time under waves", async () => {
    const file = join(mkdtempSync(join(tmpdir(), "pyramid-schedule-")), "traces.jsonl");
    const priced = (name: string, reply: string, usd: number) => ({
      name,
      model: new ScriptedChatModel({ name, reply }),
      price: { input: usd, output: usd },
    });
    const model = new PyramidChatModel({
      crowd: [priced("a", "42", 1), priced("b", "42", 2), priced("c", "5", 3)],
      oracle: priced("big", "42", 10),
      task: "math",
      schedule: "waves",
    });
    await model.invoke("?", { callbacks: [new TrafficRecorder({ traces: file })] });
    const [record] = readTraffic(file).records;
    const schedules = record.query.candidates.map((c) => c.schedule);
    expect(schedules.map((s) => s?.status)).toEqual(["answered", "answered", "not_called"]);
    expect(schedules[0]?.arrivedMs).toBeGreaterThanOrEqual(0);
    expect(schedules[2]?.arrivedMs).toBeUndefined();
  });
});
