import { describe, expect, it } from "vitest";
import { PyramidChatModel, ModelCallError, PyramidError, TimeoutError } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { backoffDelayMs, worstCaseCallMs } from "../../src/members/backoff.js";
import { liveMemberCalls } from "../../src/members/live.js";
import { DEFAULT_MEMBER_TIMEOUT_MS, resolveMember } from "../../src/members/resolve.js";
import { isTransientError } from "../../src/members/transient.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";
import { CallCounter, FaultyChatModel, httpError, networkError } from "./fault_model.js";
import type { FaultStep } from "./fault_model.js";

const meta = (message: { response_metadata: Record<string, unknown> }): PyramidMetadata =>
  message.response_metadata.pyramid as PyramidMetadata;

const answer = (text: string, delayMs = 0): FaultStep => ({ kind: "answer", text, delayMs });
const fail = (error: Error, delayMs = 0): FaultStep => ({ kind: "error", error, delayMs });

/** A model that follows `steps` call by call (the last step repeats). */
function scripted(name: string, steps: FaultStep[], counter?: CallCounter): FaultyChatModel {
  return new FaultyChatModel({ name, counter, plan: (_prompt, call) => steps[Math.min(call, steps.length - 1)] });
}

function timeouts(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
}

/** Waits until `condition` holds (polling), so that tests do not depend on how fast a loaded machine is. */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Lets pending callbacks and promise chains settle (a macrotask turn, twice). */
async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}

describe("transient errors", () => {
  it("retries 408, 409, 429, 5xx, network errors and timeouts; not 400, 401, 403, 404 or plain errors", () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504]) expect(isTransientError(httpError(status))).toBe(true);
    for (const status of [400, 401, 403, 404, 422]) expect(isTransientError(httpError(status))).toBe(false);
    expect(isTransientError(networkError())).toBe(true);
    expect(isTransientError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe(true);
    expect(isTransientError(new TimeoutError("timed out"))).toBe(true);
    expect(isTransientError(new Error("bad request"))).toBe(false);
    expect(isTransientError("string")).toBe(false);
  });

  it("backs off exponentially; jitter stays within the upper half of each delay", () => {
    const plain = { backoffMs: 100, jitter: false };
    expect([1, 2, 3, 4].map((retry) => backoffDelayMs(plain, retry))).toEqual([100, 200, 400, 800]);
    const jittered = { backoffMs: 100, jitter: true };
    expect(backoffDelayMs(jittered, 3, () => 0)).toBe(200);
    expect(backoffDelayMs(jittered, 3, () => 0.999999)).toBeCloseTo(400, 3);
    for (let i = 0; i < 100; i++) {
      const delay = backoffDelayMs(jittered, 2);
      expect(delay).toBeGreaterThanOrEqual(100);
      expect(delay).toBeLessThanOrEqual(200);
    }
    expect(worstCaseCallMs({ timeoutMs: 50, retries: 2, backoffMs: 10 })).toBe(3 * 50 + 10 + 20);
    expect(worstCaseCallMs({ timeoutMs: undefined, retries: 2, backoffMs: 10 })).toBe(Number.POSITIVE_INFINITY);
  });

  it("resolves per-member settings over the pyramid defaults", () => {
    const model = scripted("m", [answer("1")]);
    const member = resolveMember({ model, retries: 0, timeoutMs: 10, jitter: true }, {}, { retries: 3, timeoutMs: 99 });
    expect(member).toMatchObject({ retries: 0, timeoutMs: 10, jitter: true, backoffMs: 250 });
    expect(resolveMember(model, {}, { retries: 3, timeoutMs: 99 })).toMatchObject({
      retries: 3,
      timeoutMs: 99,
      jitter: false,
    });
    // No timeout anywhere: a 10-minute ceiling, so that a hung connection cannot hang a query forever.
    expect(resolveMember(model, {}, {})).toMatchObject({
      retries: 0,
      timeoutMs: DEFAULT_MEMBER_TIMEOUT_MS,
      backoffMs: 250,
    });
  });
});

describe("member faults through the pyramid", () => {
  it("a member that hangs past its timeout leaves the others' answers; its features are NaN", async () => {
    const crowd = [
      scripted("a", [answer("The answer is 42.")]),
      { model: scripted("b", [{ kind: "hang" }]), timeoutMs: 40 },
      scripted("c", [answer("42")]),
    ];
    const oracle = scripted("big", [answer("41")]);
    const result = await new PyramidChatModel({ crowd, oracle, task: "math" }).invoke("q");
    const pyramid = meta(result);
    expect(pyramid.escalated).toBe(false);
    expect(result.content).toBe("The answer is 42.");
    expect(pyramid.candidates[1]).toMatchObject({ model: "b", answer: null });
    expect(pyramid.candidates[1].error).toMatch(/^TimeoutError: .*timed out after 40 ms/);
    expect(pyramid.features.members_answered).toBe(2);
    expect(pyramid.features.agrees_with_majority_1).toBeNaN();
    expect(pyramid.features.avg_logprob_1).toBeNaN();
    expect(pyramid.features.agrees_with_majority_0).toBe(1);
    expect(pyramid.features.vote_share).toBe(1);
  });

  it("retries transient errors (429, 500, network, timeout) with backoff, per member", async () => {
    const counter = new CallCounter();
    const flaky429 = scripted("r429", [fail(httpError(429)), fail(httpError(429)), answer("7")], counter);
    const flaky500 = scripted("r500", [fail(httpError(503)), answer("7")], counter);
    const flakyNet = scripted("rnet", [fail(networkError()), answer("7")], counter);
    const flakyHang = scripted("rhang", [{ kind: "hang" }, answer("7")], counter);
    const model = new PyramidChatModel({
      crowd: [
        { model: flaky429, retries: 2, backoffMs: 5 },
        { model: flaky500, retries: 1, backoffMs: 5, jitter: true },
        { model: flakyNet, retries: 1, backoffMs: 5 },
        { model: flakyHang, retries: 1, backoffMs: 5, timeoutMs: 300 },
      ],
      oracle: scripted("big", [answer("8")]),
      task: "math",
    });
    const pyramid = meta(await model.invoke("q"));
    expect(pyramid.candidates.map((c) => [c.answer, c.error])).toEqual([
      ["7", undefined],
      ["7", undefined],
      ["7", undefined],
      ["7", undefined],
    ]);
    expect([flaky429, flaky500, flakyNet, flakyHang].map((m) => m.callsFor("q"))).toEqual([3, 2, 2, 2]);
    expect(pyramid.features.members_answered).toBe(4);
    expect(counter.live).toBe(0);
  });

  it("stops after the configured retries, and never retries a non-transient error", async () => {
    const always429 = scripted("x429", [fail(httpError(429, "429 Rate limit reached"))]);
    const bad400 = scripted("x400", [fail(httpError(400, "400 invalid request"))]);
    const fine = scripted("ok", [answer("3")]);
    const model = new PyramidChatModel({
      crowd: [{ model: always429, backoffMs: 1 }, { model: bad400, retries: 5, backoffMs: 1 }, fine],
      oracle: scripted("big", [answer("3")]),
      memberRetries: 2,
      task: "math",
    });
    const pyramid = meta(await model.invoke("q"));
    expect(always429.callsFor("q")).toBe(3);
    expect(bad400.callsFor("q")).toBe(1);
    expect(pyramid.candidates[0].error).toBe("Error: 429 Rate limit reached");
    expect(pyramid.candidates[1].error).toBe("Error: 400 invalid request");
    expect(pyramid.features.members_answered).toBe(1);
  });

  it("escalates directly when every crowd member failed, and says why", async () => {
    const oracle = scripted("big", [answer("The answer is 12.")]);
    const model = new PyramidChatModel({
      crowd: [
        scripted("a", [fail(httpError(500))]),
        scripted("b", [fail(httpError(401))]),
        { model: scripted("c", [{ kind: "hang" }]), timeoutMs: 20 },
      ],
      oracle,
      policy: { threshold: 0.99 },
      task: "math",
    });
    const pyramid = meta(await model.invoke("q"));
    expect(pyramid.escalated).toBe(true);
    expect(pyramid.tierName).toBe("oracle");
    expect(pyramid.decisions).toHaveLength(1);
    expect(pyramid.decisions[0]).toMatchObject({
      escalated: true,
      pFail: 1,
      reason: "every member of this tier failed",
      answer: null,
    });
    expect(pyramid.decisions[0].features.members_answered).toBe(0);
    expect(pyramid.candidates.slice(0, 3).every((c) => c.error !== undefined)).toBe(true);
    expect(oracle.callsFor("q")).toBe(1);
  });

  it('apex failure with onApexError "crowd" returns the crowd answer, degraded, with the error', async () => {
    const model = new PyramidChatModel({
      crowd: [scripted("a", [answer("5")]), scripted("b", [answer("5")]), scripted("c", [answer("6")])],
      oracle: { model: scripted("big", [fail(httpError(503, "503 upstream overloaded"))]), retries: 1, backoffMs: 1 },
      policy: { threshold: 0.1 },
      onApexError: "crowd",
      task: "math",
    });
    const result = await model.invoke("q");
    const pyramid = meta(result);
    expect(result.content).toBe("5");
    expect(pyramid).toMatchObject({ degraded: true, tier: 0, tierName: "crowd", escalated: true });
    expect(pyramid.error).toContain("503 upstream overloaded");
    expect(pyramid.candidates[3]).toMatchObject({ model: "big", answer: null, costUsd: 0 });
  });

  it('apex failure with onApexError "throw" throws a ModelCallError', async () => {
    const model = new PyramidChatModel({
      crowd: [scripted("a", [answer("5")]), scripted("b", [answer("6")])],
      oracle: { model: scripted("big", [{ kind: "hang" }]), timeoutMs: 20 },
      policy: { threshold: 0.1 },
      onApexError: "throw",
      task: "math",
    });
    const error = await model.invoke("q").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect(error).toBeInstanceOf(PyramidError);
    expect(String((error as Error).message)).toMatch(/every member of the apex tier failed.*TimeoutError/);
  });

  it("every tier failing gives a ModelCallError naming every member, never a bare error", async () => {
    const model = new PyramidChatModel({
      crowd: [scripted("a", [fail(httpError(500, "boom a"))]), scripted("b", [fail(new Error("boom b"))])],
      oracle: scripted("big", [fail(httpError(500, "boom big"))]),
      task: "math",
    });
    const error = await model.invoke("q").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelCallError);
    expect((error as Error).message).toMatch(/boom big/);
  });
});

describe("abort", () => {
  it("cancels every in-flight member call and leaves no call, retry or timer behind", async () => {
    await settle();
    const baseline = timeouts();
    const counter = new CallCounter();
    const model = new PyramidChatModel({
      crowd: [
        { model: scripted("hang", [{ kind: "hang" }], counter), timeoutMs: 60_000 },
        { model: scripted("slow", [answer("1", 60_000)], counter), timeoutMs: 60_000 },
        // Fails at once and would retry after a long backoff: the abort must cancel the pending retry.
        { model: scripted("retrying", [fail(httpError(503))], counter), retries: 5, backoffMs: 60_000 },
        // Ignores its signal entirely: the pyramid must still settle at once.
        { model: scripted("stuck", [{ kind: "stuck" }], counter), timeoutMs: 60_000 },
      ],
      oracle: scripted("big", [answer("1")]),
      task: "math",
    });
    const controller = new AbortController();
    const pending = model.invoke("q", { signal: controller.signal });
    pending.catch(() => undefined);
    // Everyone has started; "retrying" has failed once and waits out its backoff.
    await waitFor(() => counter.started === 4 && counter.live === 2, "the four members to start");
    expect(counter.live).toBe(2);
    expect(liveMemberCalls()).toBe(4);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    await settle();
    expect(counter.live).toBe(0);
    expect(counter.aborted).toBe(2);
    expect(counter.started).toBe(4);
    expect(liveMemberCalls()).toBe(0);
    expect(timeouts()).toBeLessThanOrEqual(baseline);
  });

  it("cancels calls waiting for a concurrency slot", async () => {
    await settle();
    const baseline = timeouts();
    const counter = new CallCounter();
    const shared = scripted("limited", [answer("1", 60_000)], counter);
    const model = new PyramidChatModel({
      crowd: [{ model: shared, maxConcurrency: 1 }, scripted("b", [answer("1")])],
      oracle: scripted("big", [answer("1")]),
      task: "math",
    });
    const controller = new AbortController();
    const pending = model.batch(["q1", "q2", "q3"], { signal: controller.signal });
    pending.catch(() => undefined);
    // "b" has answered the three queries; one "limited" call holds the slot, two wait for it.
    await waitFor(() => liveMemberCalls() === 3 && counter.live === 1, "b to answer and limited to hold its slot");
    expect(counter.live).toBe(1);
    expect(liveMemberCalls()).toBe(3);
    controller.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    await settle();
    expect(counter.started).toBe(1);
    expect(counter.live).toBe(0);
    expect(liveMemberCalls()).toBe(0);
    expect(timeouts()).toBeLessThanOrEqual(baseline);
  });

  it("cancels a streamed query while the apex streams, with nothing left behind", async () => {
    await settle();
    const baseline = timeouts();
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(" ");
    const oracle = new ScriptedChatModel({ name: "big", reply: words });
    const model = new PyramidChatModel({
      crowd: [scripted("a", [answer("1")]), scripted("b", [answer("2")])],
      oracle,
      policy: { threshold: 0.1 },
      task: "math",
    });
    const controller = new AbortController();
    const seen: string[] = [];
    const consume = async (): Promise<void> => {
      for await (const chunk of await model.stream("q", { signal: controller.signal })) {
        seen.push(String(chunk.content));
        if (seen.length === 5) controller.abort();
      }
    };
    await expect(consume()).rejects.toThrow(/abort/i);
    await settle();
    expect(seen.length).toBeGreaterThanOrEqual(5);
    expect(seen.length).toBeLessThan(400);
    expect(liveMemberCalls()).toBe(0);
    // A model still streaming would hold its 1 ms chunk timer; give it time to show up.
    await new Promise((resolve) => setTimeout(resolve, 30));
    await settle();
    expect(timeouts()).toBeLessThanOrEqual(baseline);
    expect(oracle.calls).toHaveLength(1);
  });
});
