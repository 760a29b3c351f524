import { describe, expect, it } from "vitest";
import { BudgetTracker } from "../../src/index.js";
import { budgetResetsInMs, budgetWindowAt, isBudget } from "../../src/cost/budget_api.js";

const at = (iso: string): number => Date.parse(iso);

describe("budget windows (the ids a Redis budget keys its spending by, and when they reset)", () => {
  it("a day window is the UTC day: its id and its end at the next midnight", () => {
    expect(budgetWindowAt("day", at("2026-03-05T23:59:59.999Z"))).toEqual({
      id: "d2026-03-05",
      endsAtMs: at("2026-03-06T00:00:00Z"),
    });
    expect(budgetWindowAt("day", at("2026-12-31T00:00:00Z"))).toEqual({
      id: "d2026-12-31",
      endsAtMs: at("2027-01-01T00:00:00Z"),
    });
  });

  it("a month window is the UTC month, ending on the first of the next one", () => {
    expect(budgetWindowAt("month", at("2026-02-14T12:00:00Z"))).toEqual({
      id: "m2026-02",
      endsAtMs: at("2026-03-01T00:00:00Z"),
    });
    expect(budgetWindowAt("month", at("2026-12-31T23:00:00Z"))).toEqual({
      id: "m2026-12",
      endsAtMs: at("2027-01-01T00:00:00Z"),
    });
  });

  it("a total window never ends", () => {
    expect(budgetWindowAt("total", at("2026-02-14T12:00:00Z"))).toEqual({ id: "total" });
  });

  it("budgetResetsInMs: the time left in the window, never negative; undefined for total", () => {
    expect(budgetResetsInMs({ window: "day" }, at("2026-03-05T23:00:00Z"))).toBe(3_600_000);
    expect(budgetResetsInMs({ window: "month" }, at("2026-02-28T23:59:00Z"))).toBe(60_000);
    expect(budgetResetsInMs({ window: "total" }, at("2026-02-28T23:59:00Z"))).toBeUndefined();
  });
});

describe("isBudget: an object implements Budget only with all its members", () => {
  const complete = {
    limitUsd: 1,
    reserve: () => undefined,
    settle: () => undefined,
    charge: () => undefined,
    remainingUsd: () => undefined,
  };

  it("accepts a BudgetTracker and a complete object", () => {
    expect(isBudget(new BudgetTracker(1))).toBe(true);
    expect(isBudget(complete)).toBe(true);
  });

  it.each([["limitUsd"], ["reserve"], ["settle"], ["charge"], ["remainingUsd"]])(
    "refuses an object whose %s is missing or of the wrong type",
    (key) => {
      expect(isBudget({ ...complete, [key]: "x" })).toBe(false);
    },
  );

  it.each([[null], [undefined], [5], ["budget"]])("refuses %j", (value) => {
    expect(isBudget(value)).toBe(false);
  });
});
