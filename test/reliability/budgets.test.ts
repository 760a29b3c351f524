import { describe, expect, it } from "vitest";
import { BudgetExceededError, BudgetTracker, PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata, PyramidOptions } from "../../src/index.js";
import { CallCounter, FaultyChatModel, httpError } from "./fault_model.js";

const meta = (message: { response_metadata: Record<string, unknown> }): PyramidMetadata =>
  message.response_metadata.pyramid as PyramidMetadata;

/** Every call uses 1,000 input and 100 output tokens, so a call costs 1,100 tokens at the member's price. */
const TOKENS = { input: 1000, output: 100 };

function member(
  name: string,
  reply: (prompt: string) => string,
  options: { delayMs?: number; counter?: CallCounter } = {},
): FaultyChatModel {
  return new FaultyChatModel({
    name,
    tokens: TOKENS,
    counter: options.counter,
    plan: (prompt) => ({ kind: "answer", text: reply(prompt), delayMs: options.delayMs ?? 0 }),
  });
}

/** A crowd that always splits (P_fail = 2/3 with the agreement router), so every query wants to escalate. */
function splitCrowd(delayMs = 0): FaultyChatModel[] {
  return ["1", "2", "3"].map((answer, i) => member(`small-${i}`, () => answer, { delayMs }));
}

// USD per 1M tokens: a crowd call costs 0.0011, a mid call 0.0033, an apex call 0.011.
const PRICES = {
  "small-0": { input: 1, output: 1 },
  "small-1": { input: 1, output: 1 },
  "small-2": { input: 1, output: 1 },
  mid: { input: 3, output: 3 },
  big: { input: 10, output: 10 },
};
const CROWD_COST = 3 * 0.0011;

/** The split crowd (no majority: it escalates) and `oracle` at PRICES, task math, with the guards of `options`. */
const guarded = (oracle: FaultyChatModel, options: Partial<PyramidOptions>) =>
  new PyramidChatModel({ crowd: splitCrowd(), oracle, prices: PRICES, task: "math", ...options });
const APEX_COST = 0.011;

describe("maxCostPerQuery", () => {
  it("does not escalate when the next tier would take the query past the limit, and says so", async () => {
    const oracle = member("big", () => "4");
    const model = guarded(oracle, { maxCostPerQuery: 0.01 });
    const pyramid = meta(await model.invoke("q"));
    expect(pyramid.escalated).toBe(false);
    expect(oracle.callsFor("q")).toBe(0);
    expect(pyramid.decisions[0].pFail).toBeGreaterThan(pyramid.decisions[0].threshold);
    expect(pyramid.decisions[0].reason).toMatch(
      /^maxCostPerQuery: spent 0\.003300 USD, next tier ~0\.011000 USD, limit 0\.01 USD$/,
    );
    expect(pyramid.cost.total).toBeCloseTo(CROWD_COST, 12);
    expect(pyramid.cost.total).toBeLessThanOrEqual(0.01);
  });

  it("escalates when the estimate fits, and the query's cost stays within the limit", async () => {
    const oracle = member("big", () => "4");
    const limit = CROWD_COST + APEX_COST + 1e-9;
    const model = guarded(oracle, { maxCostPerQuery: limit });
    const pyramid = meta(await model.invoke("q"));
    expect(pyramid.escalated).toBe(true);
    expect(pyramid.decisions[0].reason).toBeUndefined();
    expect(pyramid.cost.total).toBeCloseTo(CROWD_COST + APEX_COST, 12);
    expect(pyramid.cost.total).toBeLessThanOrEqual(limit);
  });

  it("stops at the middle tier of a deeper pyramid when the apex would exceed the limit", async () => {
    const mid = member("mid", () => "9");
    const big = member("big", () => "4");
    const model = new PyramidChatModel({
      tiers: [
        { name: "crowd", models: splitCrowd() },
        { name: "mid", models: [mid] },
        { name: "apex", models: [big] },
      ],
      prices: PRICES,
      task: "math",
      maxCostPerQuery: 0.008,
    });
    const pyramid = meta(await model.invoke("q"));
    expect(pyramid.tierName).toBe("mid");
    expect(pyramid.decisions.map((d) => d.escalated)).toEqual([true, false]);
    expect(pyramid.decisions[1].reason).toMatch(/^maxCostPerQuery: /);
    expect(big.callsFor("q")).toBe(0);
    expect(pyramid.cost.total).toBeCloseTo(CROWD_COST + 0.0033, 12);
    expect(pyramid.cost.total).toBeLessThanOrEqual(0.008);
  });
});

describe("onBudgetExceeded", () => {
  it("throw: a refused escalation throws BudgetExceededError naming the guard and the fix; the apex is not called", async () => {
    const oracle = member("big", () => "4");
    const model = guarded(oracle, { maxCostPerQuery: 0.01, onBudgetExceeded: "throw" });
    const error = await model.invoke("q").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as BudgetExceededError).field).toBe("maxCostPerQuery");
    expect((error as BudgetExceededError).fix).toMatch(/onBudgetExceeded: "answer"/);
    expect((error as Error).message).toMatch(/refused: maxCostPerQuery: spent 0\.003300 USD, next tier ~0\.011000 USD/);
    expect(oracle.callsFor("q")).toBe(0);
  });

  it("throw: a spent shared budget throws once it refuses, and reserves nothing", async () => {
    const budget = new BudgetTracker(0.005);
    const oracle = member("big", () => "4");
    const model = guarded(oracle, { budget, onBudgetExceeded: "throw" });
    const error = await model.invoke("q").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BudgetExceededError);
    expect((error as BudgetExceededError).field).toBe("budget");
    expect(budget.spent).toBeCloseTo(CROWD_COST, 12);
  });

  it("throw: a query the policy does not escalate answers as usual", async () => {
    const oracle = member("big", () => "4");
    const agreeing = ["1", "1", "1"].map((answer, i) => member(`small-${i}`, () => answer));
    const model = new PyramidChatModel({
      crowd: agreeing,
      oracle,
      prices: PRICES,
      task: "math",
      maxCostPerQuery: 0,
      onBudgetExceeded: "throw",
    });
    const pyramid = meta(await model.invoke("q"));
    expect(pyramid.escalated).toBe(false);
  });

  it("rejects an unknown value, naming the field", () => {
    const bad = {
      crowd: splitCrowd(),
      oracle: member("big", () => "4"),
      onBudgetExceeded: "fail",
    } as unknown as ConstructorParameters<typeof PyramidChatModel>[0];
    expect(() => new PyramidChatModel(bad)).toThrow(/onBudgetExceeded/);
  });
});

describe("BudgetTracker shared across calls", () => {
  it("records every call, stops escalating once the next tier no longer fits, and reports it", async () => {
    const budget = new BudgetTracker(0.05);
    const oracle = member("big", () => "4");
    const first = guarded(oracle, { budget });
    const second = guarded(oracle, { budget });
    const results: PyramidMetadata[] = [];
    for (let i = 0; i < 6; i++) results.push(meta(await (i % 2 === 0 ? first : second).invoke(`q${i}`)));
    // 0.0143 per escalated query: three fit in 0.05; the fourth's crowd brings the total to 0.0462 and the
    // apex (0.011) no longer fits. Crowds still answer once the budget is spent: the budget limits escalation.
    expect(results.map((r) => r.escalated)).toEqual([true, true, true, false, false, false]);
    for (const r of results.slice(3))
      expect(r.decisions[0].reason).toMatch(/^budget exhausted: \d+\.\d{6} USD left, next tier ~0\.011000 USD$/);
    for (const r of results.slice(0, 3)) expect(r.decisions[0].reason).toBeUndefined();
    const total = results.reduce((sum, r) => sum + r.cost.total, 0);
    expect(budget.spent).toBeCloseTo(total, 12);
    expect(results.slice(0, 3).reduce((sum, r) => sum + r.cost.total, 0)).toBeLessThanOrEqual(0.05);
  });

  it("is not overspent by concurrent queries escalating at the same time (batch)", async () => {
    // The crowd is free here, so the budget pays for apex calls only: exactly four of 0.011 fit in 0.05.
    const budget = new BudgetTracker(0.05);
    const oracle = member("big", () => "4", { delayMs: 5 });
    const model = new PyramidChatModel({
      crowd: splitCrowd(5),
      oracle,
      prices: {
        ...PRICES,
        "small-0": { input: 0, output: 0 },
        "small-1": { input: 0, output: 0 },
        "small-2": { input: 0, output: 0 },
      },
      task: "math",
      budget,
    });
    const results = (await model.batch(Array.from({ length: 10 }, (_, i) => `q${i}`))).map(meta);
    const escalated = results.filter((r) => r.escalated);
    expect(escalated).toHaveLength(4);
    expect(budget.spent).toBeCloseTo(4 * APEX_COST, 12);
    expect(budget.spent).toBeLessThanOrEqual(0.05);
    for (const r of results.filter((r) => !r.escalated)) expect(r.decisions[0].reason).toMatch(/^budget exhausted/);
  });

  it("gives back the estimate of an apex that failed (it cost nothing)", async () => {
    const budget = new BudgetTracker(1);
    const oracle = new FaultyChatModel({
      name: "big",
      tokens: TOKENS,
      plan: () => ({ kind: "error", error: httpError(500), delayMs: 0 }),
    });
    const model = guarded(oracle, { budget });
    const pyramid = meta(await model.invoke("q"));
    expect(pyramid.degraded).toBe(true);
    expect(budget.spent).toBeCloseTo(CROWD_COST, 12);
    expect(budget.spent).toBeCloseTo(pyramid.cost.total, 12);
  });
});

describe("maxConcurrency per member under batch", () => {
  it("never has more than maxConcurrency calls of a member in flight, across many concurrent queries", async () => {
    const limited = new CallCounter();
    const free = new CallCounter();
    const apex = new CallCounter();
    const model = new PyramidChatModel({
      crowd: [
        { model: member("small-0", () => "1", { delayMs: 3, counter: limited }), maxConcurrency: 2 },
        member("small-1", () => "1", { delayMs: 3, counter: free }),
        member("small-2", (p) => (Number(p.slice(1)) % 2 === 0 ? "1" : "2"), { delayMs: 3 }),
      ],
      oracle: { model: member("big", () => "1", { delayMs: 20, counter: apex }), maxConcurrency: 3 },
      prices: PRICES,
      task: "math",
      policy: { threshold: 0.2 },
    });
    const results = await model.batch(Array.from({ length: 60 }, (_, i) => `q${i}`));
    expect(results).toHaveLength(60);
    expect(limited.started).toBe(60);
    expect(limited.peak).toBe(2);
    expect(free.peak).toBeGreaterThan(2);
    expect(apex.started).toBe(30);
    expect(apex.peak).toBe(3);
  });

  it("shares the limit between a pyramid, its bindTools copy and another pyramid on the same model", async () => {
    const counter = new CallCounter();
    const shared = member("small-0", () => "1", { delayMs: 5, counter });
    const options = {
      crowd: [{ model: shared, maxConcurrency: 2 }, member("small-1", () => "1")],
      oracle: member("big", () => "1"),
      task: "math" as const,
    };
    const pyramid = new PyramidChatModel(options);
    const withTools = pyramid.bindTools([
      { type: "function", function: { name: "noop", parameters: { type: "object", properties: {} } } },
    ]);
    const other = new PyramidChatModel(options);
    const prompts = (prefix: string) => Array.from({ length: 20 }, (_, i) => `${prefix}${i}`);
    await Promise.all([pyramid.batch(prompts("a")), withTools.batch(prompts("b")), other.batch(prompts("c"))]);
    expect(counter.started).toBe(60);
    expect(counter.peak).toBe(2);
  });

  it("releases the slot during retry backoff", async () => {
    const counter = new CallCounter();
    let calls = 0;
    const flaky = new FaultyChatModel({
      name: "small-0",
      counter,
      tokens: TOKENS,
      plan: (_prompt, call) => {
        calls++;
        return call === 0
          ? { kind: "error", error: httpError(429), delayMs: 1 }
          : { kind: "answer", text: "1", delayMs: 2 };
      },
    });
    const model = new PyramidChatModel({
      crowd: [{ model: flaky, maxConcurrency: 1, retries: 1, backoffMs: 20 }, member("small-1", () => "1")],
      oracle: member("big", () => "1"),
      task: "math",
    });
    const results = (await model.batch(Array.from({ length: 8 }, (_, i) => `q${i}`))).map(meta);
    expect(results.every((r) => r.candidates[0].error === undefined)).toBe(true);
    expect(calls).toBe(16);
    expect(counter.peak).toBe(1);
  });
});
