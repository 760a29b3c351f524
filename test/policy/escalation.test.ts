import { describe, expect, it } from "vitest";
import { decideEscalation, myopicThreshold } from "../../src/index.js";
import type { EscalationInput } from "../../src/index.js";

/** A query whose crowd answered, with no guard in force: only Equation 5 decides. */
const base: EscalationInput = { pFail: 0.5, answered: true, threshold: 0.3, nextTierCostUsd: 0.01, spentUsd: 0.002 };

describe("decideEscalation: Equation 5", () => {
  it("escalates iff P_fail > threshold, strictly", () => {
    expect(decideEscalation({ ...base, pFail: 0.3 }).escalate).toBe(false);
    expect(decideEscalation({ ...base, pFail: 0.3 + 1e-12 }).escalate).toBe(true);
    expect(decideEscalation({ ...base, pFail: 0.3 - 1e-12 }).escalate).toBe(false);
    const routed = decideEscalation(base);
    expect(routed).toEqual({ escalate: true, pFail: 0.5 });
  });

  it("never escalates at threshold 1 and always (for P_fail > 0) at threshold 0", () => {
    expect(decideEscalation({ ...base, pFail: 1, threshold: 1 }).escalate).toBe(false);
    expect(decideEscalation({ ...base, pFail: 0, threshold: 0 }).escalate).toBe(false);
    expect(decideEscalation({ ...base, pFail: 0.01, threshold: 0 }).escalate).toBe(true);
  });

  it("takes a non-finite P_fail as 1 (escalate)", () => {
    for (const pFail of [Number.NaN, Number.POSITIVE_INFINITY]) {
      const d = decideEscalation({ ...base, pFail, threshold: 0.9 });
      expect(d.escalate).toBe(true);
      expect(d.pFail).toBe(1);
    }
  });

  it("escalates when every member failed, whatever the router said, and says why", () => {
    const d = decideEscalation({ ...base, answered: false, pFail: 0, threshold: 0.99 });
    expect(d).toEqual({ escalate: true, pFail: 1, reason: "every member of this tier failed" });
  });
});

describe("decideEscalation: look-ahead", () => {
  it("decides by expected value instead of the threshold, and reports the values", () => {
    const remaining = [{ accuracy: 0.9, cost: 0.1 }];
    // myopic threshold = 0.1 / 1 + (1 - 0.9) = 0.2; the boundary threshold (0.99) is not used.
    expect(myopicThreshold(remaining[0], 1)).toBeCloseTo(0.2, 12);
    const above = decideEscalation({
      ...base,
      pFail: 0.25,
      threshold: 0.99,
      lookahead: { utility: 1, remaining, rule: "myopic" },
    });
    expect(above.escalate).toBe(true);
    expect(above.lookahead?.rule).toBe("myopic");
    expect(above.lookahead?.valueContinue).toBeGreaterThan(above.lookahead?.valueStop ?? Number.POSITIVE_INFINITY);
    const below = decideEscalation({ ...base, pFail: 0.15, threshold: 0, lookahead: { utility: 1, remaining } });
    expect(below.escalate).toBe(false);
    expect(below.lookahead?.rule).toBe("optimal");
    expect(below.reason).toBeUndefined();
  });
});

describe("decideEscalation: guards", () => {
  it("maxCostPerQuery refuses when spent + next tier exceeds it, and allows equality", () => {
    const refused = decideEscalation({ ...base, spentUsd: 0.002, nextTierCostUsd: 0.011, maxCostPerQuery: 0.01 });
    expect(refused.escalate).toBe(false);
    expect(refused.refusedBy).toBe("maxCostPerQuery");
    expect(refused.reason).toBe("maxCostPerQuery: spent 0.002000 USD, next tier ~0.011000 USD, limit 0.01 USD");
    const fits = decideEscalation({ ...base, spentUsd: 0.25, nextTierCostUsd: 0.5, maxCostPerQuery: 0.75 });
    expect(fits).toEqual({ escalate: true, pFail: 0.5 });
  });

  it("the budget refuses when its spend + next tier exceeds its limit, and allows equality", () => {
    const refused = decideEscalation({ ...base, nextTierCostUsd: 0.011, budget: { spentUsd: 0.045, limitUsd: 0.05 } });
    expect(refused.escalate).toBe(false);
    expect(refused.refusedBy).toBe("budget");
    expect(refused.reason).toBe("budget exhausted: 0.005000 USD left, next tier ~0.011000 USD");
    const overspent = decideEscalation({ ...base, nextTierCostUsd: 0.25, budget: { spentUsd: 2, limitUsd: 1 } });
    expect(overspent.reason).toBe("budget exhausted: 0.000000 USD left, next tier ~0.250000 USD");
    const fits = decideEscalation({ ...base, nextTierCostUsd: 0.25, budget: { spentUsd: 0.5, limitUsd: 0.75 } });
    expect(fits.escalate).toBe(true);
  });

  it("checks the per-query cap before the budget", () => {
    const d = decideEscalation({
      ...base,
      nextTierCostUsd: 1,
      maxCostPerQuery: 0.5,
      budget: { spentUsd: 0, limitUsd: 0.5 },
    });
    expect(d.refusedBy).toBe("maxCostPerQuery");
  });

  it("guards only an escalation: a stop stays a stop, however little money is left", () => {
    const d = decideEscalation({
      ...base,
      pFail: 0.1,
      nextTierCostUsd: 1,
      maxCostPerQuery: 0,
      budget: { spentUsd: 1, limitUsd: 1 },
    });
    expect(d).toEqual({ escalate: false, pFail: 0.1 });
  });

  it("a refused forced escalation (every member failed) carries the guard's reason", () => {
    const d = decideEscalation({
      ...base,
      answered: false,
      nextTierCostUsd: 1,
      budget: { spentUsd: 0, limitUsd: 0.5 },
    });
    expect(d.escalate).toBe(false);
    expect(d.refusedBy).toBe("budget");
    expect(d.reason).toMatch(/^budget exhausted: /);
  });

  it("a guard refuses the look-ahead's escalation too, keeping the values compared", () => {
    const d = decideEscalation({
      ...base,
      pFail: 0.9,
      lookahead: { utility: 1, remaining: [{ accuracy: 0.9, cost: 0.1 }] },
      nextTierCostUsd: 0.02,
      maxCostPerQuery: 0.01,
    });
    expect(d.escalate).toBe(false);
    expect(d.refusedBy).toBe("maxCostPerQuery");
    expect(d.lookahead?.rule).toBe("optimal");
  });
});
