import { AIMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { BudgetLedger, BudgetTracker, PyramidChatModel } from "../../src/index.js";
import type { Budget } from "../../src/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

describe("BudgetLedger: all the money of one query", () => {
  it("holds the crowd on the payer's own budget, settles it with the real cost and charges the shared one apart", async () => {
    const own = new BudgetTracker(1);
    const shared = new BudgetTracker(10);
    const ledger = new BudgetLedger({ account: "team-a", own, shared });
    expect(await ledger.hold(0.4)).toEqual({ ok: true, remainingUsd: 0.6 });
    expect(await shared.remainingUsd()).toBe(10);
    await ledger.settle(0, 0.1);
    expect(await own.remainingUsd()).toBeCloseTo(0.9, 12);
    expect(await shared.remainingUsd()).toBeCloseTo(9.9, 12);
  });

  it("reserves an escalation on both budgets, refuses with the refusing budget's limit, and releases what is open", async () => {
    const own = new BudgetTracker(1);
    const shared = new BudgetTracker(0.5);
    const ledger = new BudgetLedger({ own, shared });
    const refused = await ledger.reserve(1, 0.6);
    expect(refused.ok).toBe(false);
    expect(await own.remainingUsd()).toBe(1);
    expect(await ledger.reserve(1, 0.3)).toMatchObject({ ok: true });
    expect(await own.remainingUsd()).toBeCloseTo(0.7, 12);
    expect(await shared.remainingUsd()).toBeCloseTo(0.2, 12);
    await ledger.release();
    await ledger.release();
    expect(await own.remainingUsd()).toBe(1);
    expect(await shared.remainingUsd()).toBe(0.5);
  });

  it("charges a tier that had no hold nor reservation to the spending budget", async () => {
    const shared = new BudgetTracker(1);
    const ledger = new BudgetLedger({ shared });
    await ledger.settle(0, 0.25);
    expect(await ledger.hold(0.5)).toEqual({ ok: true, remainingUsd: Number.POSITIVE_INFINITY });
    expect(await shared.remainingUsd()).toBeCloseTo(0.75, 12);
  });

  it("does not fail the query when the budget store cannot record a cost: the error goes to onError", async () => {
    const broken: Budget = {
      limitUsd: 1,
      window: "total",
      reserve: async () => ({ ok: false, remainingUsd: 0 }),
      settle: async () => {
        throw new Error("store down");
      },
      charge: async () => {
        throw new Error("store down");
      },
      remainingUsd: async () => 0,
    };
    const errors: string[] = [];
    const ledger = new BudgetLedger({ shared: broken, onError: (e, usd) => errors.push(`${String(e)} ${usd}`) });
    await ledger.settle(0, 0.5);
    expect(errors).toEqual(["Error: store down 0.5"]);
  });

  it("is what a pyramid call pays through: the crowd hold is settled by the graph, the escalation reserved", async () => {
    const own = new BudgetTracker(1);
    const shared = new BudgetTracker(1);
    const reply = (content: string) =>
      new AIMessage({ content, usage_metadata: { input_tokens: 1000, output_tokens: 1000, total_tokens: 2000 } });
    const crowd = ["1", "2", "3"].map((text, i) => new ScriptedChatModel({ name: `small-${i}`, reply: reply(text) }));
    const oracle = new ScriptedChatModel({ name: "big", reply: reply("4") });
    const price = { input: 10, output: 10 };
    const model = new PyramidChatModel({
      crowd: crowd.map((m) => ({ model: m, price })),
      oracle: { model: oracle, price },
      task: "math",
      budget: shared,
    });
    const ledger = new BudgetLedger({ account: "team-a", own, shared });
    expect((await ledger.hold(0.5)).ok).toBe(true);
    const answer = await model.invoke("What is 2 + 2?", { ledger });
    await ledger.release();
    const cost = (answer.response_metadata.pyramid as { cost: { total: number } }).cost.total;
    expect(cost).toBeGreaterThan(0);
    expect((answer.response_metadata.pyramid as { escalated: boolean }).escalated).toBe(true);
    expect(await own.remainingUsd()).toBeCloseTo(1 - cost, 9);
    expect(await shared.remainingUsd()).toBeCloseTo(1 - cost, 9);
  });
});
