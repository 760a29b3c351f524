import { describe, expect, it } from "vitest";
import { BudgetTracker } from "../../src/index.js";

describe("BudgetTracker edges (guards the boundary of the budget: spending exactly what is left is allowed)", () => {
  it("reserve accepts exactly the remaining budget, then refuses a cent more", async () => {
    const budget = new BudgetTracker(1);
    const first = await budget.reserve(0.25);
    expect(first).toMatchObject({ ok: true, remainingUsd: 0.75 });
    const rest = await budget.reserve(0.75); // exactly what is left
    expect(rest.ok).toBe(true);
    expect(rest.remainingUsd).toBe(0);
    expect(budget.spent).toBe(1);
    expect(budget.remaining).toBe(0);
    const more = await budget.reserve(0.01);
    expect(more).toEqual({ ok: false, remainingUsd: 0 });
    expect(budget.spent).toBe(1); // a refused reservation holds nothing
  });

  it("canSpend is true for exactly the remainder and false above it; settle replaces the hold by the real cost", async () => {
    const budget = new BudgetTracker(0.5);
    expect(budget.canSpend(0.5)).toBe(true);
    expect(budget.canSpend(0.5000001)).toBe(false);
    const held = await budget.reserve(0.5);
    if (!held.ok) throw new Error("expected the reservation to succeed");
    await budget.settle(held.reservation, 0.125);
    expect(budget.spent).toBe(0.125);
    expect(await budget.remainingUsd()).toBe(0.375);
    budget.record(0.375);
    expect(budget.remaining).toBe(0);
    expect(budget.canSpend(0)).toBe(true);
    expect(budget.canSpend(0.001)).toBe(false);
  });
});
