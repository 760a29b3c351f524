import { afterEach, describe, expect, it, vi } from "vitest";
import { BudgetTracker, combineBudgets } from "../../src/index.js";

afterEach(() => {
  vi.useRealTimers();
});

describe("combineBudgets (a tenant's and the global budget: neither is ever overspent)", () => {
  it("one budget is returned as it is; several report the first one's limit and window", () => {
    const one = new BudgetTracker(1);
    expect(combineBudgets([one])).toBe(one);
    const both = combineBudgets([new BudgetTracker(2, "day"), new BudgetTracker(5)]);
    expect(both.limitUsd).toBe(2);
    expect(both.window).toBe("day");
  });

  it("reserves in every budget, with the least remainder; a refusal releases the earlier holds", async () => {
    const tenant = new BudgetTracker(1);
    const global = new BudgetTracker(0.5);
    const both = combineBudgets([tenant, global]);
    const held = await both.reserve(0.25);
    expect(held).toMatchObject({ ok: true, remainingUsd: 0.25 });
    expect([tenant.spent, global.spent]).toEqual([0.25, 0.25]);
    // 0.5 fits the tenant (0.75 left) but not the global budget (0.25 left): refused, the tenant's hold released.
    expect(await both.reserve(0.5)).toEqual({ ok: false, remainingUsd: 0.25 });
    expect([tenant.spent, global.spent]).toEqual([0.25, 0.25]);
    if (!held.ok) throw new Error("expected the first reservation to succeed");
    expect(held.reservation.usd).toBe(0.25);
    // Settling replaces every part's hold by the real cost.
    await both.settle(held.reservation, 0.125);
    expect([tenant.spent, global.spent]).toEqual([0.125, 0.125]);
    expect(await both.remainingUsd()).toBe(0.375); // min(0.875, 0.375)
  });

  it("charges every budget, and settles a reservation made elsewhere as a charge", async () => {
    const a = new BudgetTracker(1);
    const b = new BudgetTracker(1);
    const both = combineBudgets([a, b]);
    await both.charge(0.25);
    expect([a.spent, b.spent]).toEqual([0.25, 0.25]);
    await both.settle({ id: "foreign", usd: 0.5 }, 0.125);
    expect([a.spent, b.spent]).toEqual([0.375, 0.375]);
  });
});

describe("BudgetTracker windows and remainder", () => {
  it("remaining is never negative, even when overspent by charges", async () => {
    const budget = new BudgetTracker(1);
    budget.record(1.5);
    expect(budget.remaining).toBe(0);
    expect(await budget.remainingUsd()).toBe(-0.5);
    expect(new BudgetTracker(1).window).toBe("total");
  });

  it("a day window starts again at 0 on the next UTC day; a total window never does", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-12-07T23:59:00Z"));
    const day = new BudgetTracker(1, "day");
    const total = new BudgetTracker(1);
    day.record(0.75);
    total.record(0.75);
    expect(day.canSpend(0.5)).toBe(false);
    vi.setSystemTime(new Date("2026-12-08T00:01:00Z"));
    expect(day.spent).toBe(0);
    expect(day.canSpend(0.5)).toBe(true);
    expect(total.spent).toBe(0.75);
  });
});

describe("combineBudgets' reservation of several parts", () => {
  /** A budget that answers reserve with a fixed reservation id (or refuses) and records what it is asked. */
  const fixed = (id: string, ok: boolean, calls: string[]) => ({
    limitUsd: 1,
    window: "total" as const,
    reserve: async (usd: number) =>
      ok
        ? { ok: true as const, reservation: { id, usd }, remainingUsd: 1 - usd }
        : { ok: false as const, remainingUsd: 0 },
    settle: async (reservation: { id: string }, usd: number) => {
      calls.push(`${id}.settle(${reservation.id}, ${usd})`);
    },
    charge: async (usd: number) => {
      calls.push(`${id}.charge(${usd})`);
    },
    remainingUsd: async () => 1,
  });

  it("names the combined reservation by its parts' ids joined with +", async () => {
    const calls: string[] = [];
    const held = await combineBudgets([fixed("a", true, calls), fixed("b", true, calls)]).reserve(0.25);
    expect(held).toMatchObject({ ok: true, reservation: { id: "a+b", usd: 0.25 }, remainingUsd: 0.75 });
  });

  it("a refusal by the first budget releases nothing", async () => {
    const calls: string[] = [];
    const refused = await combineBudgets([fixed("a", false, calls), fixed("b", true, calls)]).reserve(0.25);
    expect(refused).toEqual({ ok: false, remainingUsd: 0 });
    expect(calls).toEqual([]);
  });
});
