import { afterEach, describe, expect, it, vi } from "vitest";
import { BudgetLedger, BudgetTracker } from "../../src/index.js";
import type {
  Budget,
  BudgetReservation,
  BudgetReserveOptions,
  BudgetReserveResult,
} from "../../src/cost/budget_api.js";
import { isLedger } from "../../src/ledger/index.js";

// The ledger's bookkeeping call by call (edges found by mutation testing, docs/testing.md): a budget that records
// every call it gets, and answers reserve from a BudgetTracker behind it.

class RecordingBudget implements Budget {
  readonly calls: string[] = [];
  readonly window = "total" as const;
  private readonly inner: BudgetTracker;

  constructor(
    readonly label: string,
    readonly limitUsd: number,
  ) {
    this.inner = new BudgetTracker(limitUsd);
  }

  async reserve(usd: number, options?: BudgetReserveOptions): Promise<BudgetReserveResult> {
    this.calls.push(`${this.label}.reserve(${usd}${options === undefined ? "" : `, ${JSON.stringify(options)}`})`);
    return this.inner.reserve(usd);
  }

  async settle(reservation: BudgetReservation, actualUsd: number): Promise<void> {
    this.calls.push(`${this.label}.settle(${reservation.usd}, ${actualUsd})`);
    await this.inner.settle(reservation, actualUsd);
  }

  async charge(usd: number): Promise<void> {
    this.calls.push(`${this.label}.charge(${usd})`);
    await this.inner.charge(usd);
  }

  async remainingUsd(): Promise<number> {
    return this.inner.remainingUsd();
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("BudgetLedger: which budget each call goes to", () => {
  it("with no budget at all, every call is a no-op that holds", async () => {
    const ledger = new BudgetLedger();
    expect(await ledger.hold(1)).toEqual({ ok: true, remainingUsd: Number.POSITIVE_INFINITY });
    expect(await ledger.reserve(1, 1)).toEqual({ ok: true, remainingUsd: Number.POSITIVE_INFINITY });
    expect(ledger.holds(0)).toBe(false);
    await ledger.settle(1, 0.5);
    await ledger.release();
    expect(ledger.account).toBeUndefined();
  });

  it("holds nothing for a cost of 0 or one that is not a number", async () => {
    const own = new RecordingBudget("own", 1);
    const ledger = new BudgetLedger({ own });
    for (const usd of [0, -1, Number.NaN])
      expect(await ledger.hold(usd)).toEqual({ ok: true, remainingUsd: Number.POSITIVE_INFINITY });
    expect(own.calls).toEqual([]);
    expect(ledger.holds(0)).toBe(false);
  });

  it("passes the hold's lifetime to the budget, and none when the caller gives none", async () => {
    const own = new RecordingBudget("own", 1);
    const ledger = new BudgetLedger({ own });
    await ledger.hold(0.25, { ttlMs: 5000 });
    await ledger.reserve(1, 0.25);
    expect(own.calls).toEqual(['own.reserve(0.25, {"ttlMs":5000})', "own.reserve(0.25)"]);
    expect(ledger.holds(0)).toBe(true);
    expect(ledger.holds(1)).toBe(true);
    expect(ledger.holds(2)).toBe(false);
  });

  it("a refusal says what is left and the refusing budget's limit, and holds nothing", async () => {
    const own = new RecordingBudget("own", 0.5);
    const ledger = new BudgetLedger({ own });
    await own.charge(0.25);
    expect(await ledger.hold(0.5)).toEqual({ ok: false, remainingUsd: 0.25, limitUsd: 0.5 });
    expect(ledger.holds(0)).toBe(false);
  });

  it("a second hold of the same tier replaces the first, which is released with cost 0", async () => {
    const own = new RecordingBudget("own", 1);
    const ledger = new BudgetLedger({ own });
    await ledger.hold(0.25);
    await ledger.hold(0.5);
    expect(own.calls).toEqual(["own.reserve(0.25)", "own.reserve(0.5)", "own.settle(0.25, 0)"]);
    expect(await own.remainingUsd()).toBe(0.5);
  });

  it("the crowd's hold on the payer's budget is settled there and its cost charged to the shared budget", async () => {
    const own = new RecordingBudget("own", 1);
    const shared = new RecordingBudget("shared", 10);
    const ledger = new BudgetLedger({ own, shared, account: "team" });
    expect(ledger.account).toBe("team");
    await ledger.hold(0.5);
    await ledger.settle(0, 0.125);
    expect(own.calls).toEqual(["own.reserve(0.5)", "own.settle(0.5, 0.125)"]);
    expect(shared.calls).toEqual(["shared.charge(0.125)"]);
    expect(ledger.holds(0)).toBe(false);
  });

  it("a hold settled at cost 0 charges the shared budget nothing", async () => {
    const own = new RecordingBudget("own", 1);
    const shared = new RecordingBudget("shared", 10);
    const ledger = new BudgetLedger({ own, shared });
    await ledger.hold(0.5);
    await ledger.settle(0, 0);
    expect(shared.calls).toEqual([]);
  });

  it("when the payer's budget is the shared one, the hold is settled once and nothing is charged apart", async () => {
    const budget = new RecordingBudget("both", 1);
    const ledger = new BudgetLedger({ own: budget, shared: budget });
    await ledger.hold(0.5);
    await ledger.reserve(1, 0.25);
    await ledger.settle(0, 0.125);
    await ledger.settle(1, 0.25);
    expect(budget.calls).toEqual([
      "both.reserve(0.5)",
      "both.reserve(0.25)",
      "both.settle(0.5, 0.125)",
      "both.settle(0.25, 0.25)",
    ]);
  });

  it("escalations are reserved on the combined budget when one is given", async () => {
    const own = new RecordingBudget("own", 1);
    const shared = new RecordingBudget("shared", 1);
    const combined = new RecordingBudget("combined", 1);
    const ledger = new BudgetLedger({ own, shared, combined });
    await ledger.reserve(1, 0.25);
    await ledger.settle(1, 0.125);
    expect(combined.calls).toEqual(["combined.reserve(0.25)", "combined.settle(0.25, 0.125)"]);
    expect([...own.calls, ...shared.calls]).toEqual([]);
  });

  it("escalations are reserved on the payer's budget alone when there is no shared one", async () => {
    const own = new RecordingBudget("own", 1);
    const ledger = new BudgetLedger({ own });
    await ledger.reserve(1, 0.25);
    await ledger.settle(2, 0.5); // a tier with no reservation: charged to the spending budget
    expect(own.calls).toEqual(["own.reserve(0.25)", "own.charge(0.5)"]);
  });

  it("a tier without a reservation that cost nothing is not charged", async () => {
    const shared = new RecordingBudget("shared", 1);
    const ledger = new BudgetLedger({ shared });
    await ledger.settle(0, 0);
    expect(shared.calls).toEqual([]);
  });

  it("release ends every open hold and reservation with cost 0, once", async () => {
    const own = new RecordingBudget("own", 1);
    const ledger = new BudgetLedger({ own });
    await ledger.hold(0.25);
    await ledger.reserve(1, 0.5);
    await ledger.release();
    await ledger.release();
    expect(own.calls).toEqual(["own.reserve(0.25)", "own.reserve(0.5)", "own.settle(0.25, 0)", "own.settle(0.5, 0)"]);
    expect(ledger.holds(0) || ledger.holds(1)).toBe(false);
    expect(await own.remainingUsd()).toBe(1);
  });

  it("a cost the store cannot record is logged to stderr by default, naming the USD and the cause", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const broken: Budget = {
      limitUsd: 1,
      window: "total",
      reserve: async () => ({ ok: true, reservation: { id: "r", usd: 1 }, remainingUsd: 0 }),
      settle: async () => {
        throw new Error("store down");
      },
      charge: async () => {
        throw "not an Error";
      },
      remainingUsd: async () => 0,
    };
    const ledger = new BudgetLedger({ shared: broken });
    await ledger.settle(0, 0.5);
    await ledger.reserve(1, 1);
    await ledger.settle(1, 0.25);
    expect(log.mock.calls).toEqual([
      ["pyramid-moa: could not record 0.5 USD in the budget: not an Error"],
      ["pyramid-moa: could not record 0.25 USD in the budget: store down"],
    ]);
  });
});

describe("isLedger", () => {
  const complete = { hold: () => 0, reserve: () => 0, settle: () => 0, release: () => 0 };

  it("accepts a BudgetLedger and any object with the four methods", () => {
    expect(isLedger(new BudgetLedger())).toBe(true);
    expect(isLedger(complete)).toBe(true);
  });

  it.each([["hold"], ["reserve"], ["settle"], ["release"]])("refuses an object whose %s is not a function", (key) => {
    expect(isLedger({ ...complete, [key]: 1 })).toBe(false);
  });

  it.each([[null], [undefined], ["ledger"], [3]])("refuses %j", (value) => {
    expect(isLedger(value)).toBe(false);
  });
});
