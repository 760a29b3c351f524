import { afterEach, describe, expect, it, vi } from "vitest";
import { BudgetTracker, combineBudgets } from "../../src/index.js";
import type { Budget, BudgetReservation } from "../../src/index.js";
import { settleTierCost } from "../../src/cost/settle.js";

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

describe("settleTierCost (what a tier cost goes into the budget; a failing store never fails the query)", () => {
  /** A budget that records the calls it gets, or throws on them. */
  function recording(fail = false): Budget & { calls: string[] } {
    const calls: string[] = [];
    const act = async (call: string): Promise<void> => {
      calls.push(call);
      if (fail) throw new Error("store down");
    };
    return {
      limitUsd: 1,
      window: "total",
      calls,
      reserve: async () => ({ ok: false, remainingUsd: 0 }),
      settle: (r: BudgetReservation, usd: number) => act(`settle ${r.id} ${usd}`),
      charge: (usd: number) => act(`charge ${usd}`),
      remainingUsd: async () => 1,
    };
  }

  it("settles a reservation, charges a cost without one, and charges nothing for a free tier", async () => {
    const budget = recording();
    await settleTierCost(budget, { id: "r1", usd: 0.5 }, 0.25);
    await settleTierCost(budget, undefined, 0.125);
    await settleTierCost(budget, undefined, 0);
    await settleTierCost(budget, { id: "r2", usd: 0.5 }, 0);
    expect(budget.calls).toEqual(["settle r1 0.25", "charge 0.125", "settle r2 0"]);
    await expect(settleTierCost(undefined, undefined, 1)).resolves.toBeUndefined();
  });

  it("hands a store error to onError, and by default writes it to stderr naming the cost", async () => {
    const errors: unknown[] = [];
    await settleTierCost(recording(true), undefined, 0.5, (e) => errors.push(e));
    expect(String(errors[0])).toContain("store down");
    const stderr = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      await settleTierCost(recording(true), undefined, 0.5);
      expect(stderr).toHaveBeenCalledWith("pyramid-moa: could not record 0.5 USD in the budget: store down");
    } finally {
      stderr.mockRestore();
    }
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
