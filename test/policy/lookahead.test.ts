import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PyramidConfigError } from "../../src/errors/index.js";
import { lookaheadDecision, myopicThreshold } from "../../src/policy/lookahead.js";

describe("lookaheadDecision", () => {
  it("with one tier left, both rules are Equation 5", () => {
    const input = { pFail: 0.3, utility: 1, remaining: [{ accuracy: 0.9, cost: 0.1 }] };
    expect(myopicThreshold({ accuracy: 0.9, cost: 0.1 }, 1)).toBeCloseTo(0.2, 12);
    for (const rule of ["myopic", "optimal"] as const) {
      const d = lookaheadDecision(input, rule);
      expect(d.escalate).toBe(true);
      expect(d.valueStop).toBeCloseTo(0.7, 12);
      expect(d.valueContinue).toBeCloseTo(0.8, 12);
      expect(d.rule).toBe(rule);
    }
    expect(lookaheadDecision({ ...input, pFail: 0.15 }).escalate).toBe(false);
  });

  it("at the top of the pyramid there is nothing to escalate to", () => {
    const d = lookaheadDecision({ pFail: 0.9, utility: 1, remaining: [] });
    expect(d).toMatchObject({ escalate: false, valueContinue: Number.NEGATIVE_INFINITY });
    expect(d.valueStop).toBeCloseTo(0.1, 12);
  });

  it("looks past a weak middle tier to a strong one behind it, where the myopic rule stops", () => {
    // Current answer 75% right. The next tier alone (70% right) is not worth it, but it leads to a
    // 99%-right tier: going through both is worth 0.99 - 0.05 - 0.01 = 0.93 > 0.75.
    const input = {
      pFail: 0.25,
      utility: 1,
      remaining: [
        { accuracy: 0.7, cost: 0.01 },
        { accuracy: 0.99, cost: 0.05 },
      ],
    };
    const myopic = lookaheadDecision(input, "myopic");
    expect(myopic.escalate).toBe(false);
    expect(myopic.valueContinue).toBeCloseTo(0.69, 12);
    const optimal = lookaheadDecision(input);
    expect(optimal.escalate).toBe(true);
    expect(optimal.valueContinue).toBeCloseTo(0.93, 12);
    expect(optimal.valueStop).toBeCloseTo(0.75, 12);
  });

  it("values the option to stop after an informative next tier", () => {
    // The next tier is 70% right on average, but its router knows when: half the time P_fail 0.02,
    // half the time 0.58. Then stop after it when it is confident, go on to the Oracle otherwise:
    // 0.5 x 0.98 + 0.5 x (0.95 - 0.3) - 0.05 = 0.765 > 0.72 (stop now).
    const oracle = { accuracy: 0.95, cost: 0.3 };
    const informative = {
      pFail: 0.28,
      utility: 1,
      remaining: [
        {
          cost: 0.05,
          pFailDistribution: [
            { pFail: 0.02, weight: 1 },
            { pFail: 0.58, weight: 1 },
          ],
        },
        oracle,
      ],
    };
    const optimal = lookaheadDecision(informative);
    expect(optimal.escalate).toBe(true);
    expect(optimal.valueContinue).toBeCloseTo(0.765, 12);
    // Knowing only the average accuracy, the same tiers are not worth it, and myopic agrees.
    const averageOnly = { ...informative, remaining: [{ accuracy: 0.7, cost: 0.05 }, oracle] };
    expect(lookaheadDecision(averageOnly).escalate).toBe(false);
    expect(lookaheadDecision(averageOnly).valueContinue).toBeCloseTo(0.65, 12);
    expect(lookaheadDecision(informative, "myopic").escalate).toBe(false);
  });

  it("never escalates less than the myopic rule, and equals it with one tier left", () => {
    const tier = fc.record({
      accuracy: fc.double({ min: 0, max: 1, noNaN: true }),
      cost: fc.double({ min: 0, max: 2, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.array(tier, { minLength: 1, maxLength: 4 }),
        (pFail, utility, remaining) => {
          const myopic = lookaheadDecision({ pFail, utility, remaining }, "myopic");
          const optimal = lookaheadDecision({ pFail, utility, remaining });
          expect(optimal.valueContinue).toBeGreaterThanOrEqual(myopic.valueContinue - 1e-12);
          if (myopic.escalate) expect(optimal.escalate).toBe(true);
          if (remaining.length === 1) expect(optimal.valueContinue).toBeCloseTo(myopic.valueContinue, 12);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("refuses invalid input, naming the field", () => {
    expect(() => lookaheadDecision({ pFail: 1.2, utility: 1, remaining: [] })).toThrow(PyramidConfigError);
    expect(() => lookaheadDecision({ pFail: 0.5, utility: 0, remaining: [] })).toThrow(/lookahead\.utility/);
    expect(() => lookaheadDecision({ pFail: 0.5, utility: 1, remaining: [{ cost: 1 }] })).toThrow(
      /lookahead\.remaining\.0: give accuracy or pFailDistribution/,
    );
    expect(() =>
      lookaheadDecision({
        pFail: 0.5,
        utility: 1,
        remaining: [{ cost: 1, accuracy: 0.9, pFailDistribution: [{ pFail: 0.5, weight: 1 }] }],
      }),
    ).toThrow(/accuracy must equal 1 - the mean of pFailDistribution/);
  });
});
