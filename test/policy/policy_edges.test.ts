import { describe, expect, it } from "vitest";
import { PyramidConfigError } from "../../src/errors/index.js";
import {
  calibrationProfile,
  candidateThresholds,
  thresholdForAccuracy,
  thresholdForAccuracyGap,
  thresholdForCostSaving,
  thresholdForEscalationRate,
  type GradedPrediction,
} from "../../src/policy/calibrate.js";
import {
  lookaheadDecision,
  lookaheadOptionsSchema,
  myopicThreshold,
  tierEstimateSchema,
} from "../../src/policy/lookahead.js";
import { profileAt } from "../../src/policy/profile.js";
import { thrownBy } from "../helpers/thrown.js";

// Edges of calibration and of the look-ahead rule (found by mutation testing, docs/testing.md).

const row = (pFail: number, fields: Partial<GradedPrediction> = {}): GradedPrediction => ({
  pFail,
  crowdCorrect: true,
  oracleCorrect: true,
  crowdCost: 0,
  oracleCost: 1,
  ...fields,
});

const configError = (fn: () => unknown) => {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(PyramidConfigError);
  return error as PyramidConfigError;
};

describe("calibration inputs are refused naming the field and the fix", () => {
  it("no graded query", () => {
    const error = configError(() => calibrationProfile([]));
    expect(error.field).toBe("rows");
    expect(error.fix).toBe("calibrate on a non-empty validation set.");
  });

  it.each([
    ["targetRate", (v: number) => thresholdForEscalationRate([row(0.5)], v)],
    ["targetSaving", (v: number) => thresholdForCostSaving([row(0.5)], v)],
    ["targetAccuracy", (v: number) => thresholdForAccuracy([row(0.5)], v)],
    ["fraction", (v: number) => thresholdForAccuracyGap([row(0.5)], v)],
  ])("%s: a fraction in [0, 1] (0 and 1 accepted, -0.1 and 1.1 not)", (field, calibrate) => {
    const error = configError(() => calibrate(-0.1));
    expect(error.field).toBe(field);
    expect(error.message).toBe(`${field}: expected a fraction in [0, 1], got -0.1. Fix: e.g. 0.2 for 20%.`);
    expect(configError(() => calibrate(1.1)).field).toBe(field);
    expect(calibrate(0).threshold).toBeTypeOf("number");
    expect(calibrate(1).threshold).toBeTypeOf("number");
  });

  it("a cost-saving target when the Oracle alone costs nothing", () => {
    const error = configError(() => thresholdForCostSaving([row(0.5, { oracleCost: 0 })], 0.5));
    expect(error.field).toBe("oracleCost");
    expect(error.fix).toBe("record the Oracle's cost per query (or calibrate by escalation rate instead).");
  });
});

describe("candidate thresholds and the profile's order", () => {
  it("midpoints between distinct P_fail values, only strictly inside (0, 1), with 0 and 1 at the ends", () => {
    expect(candidateThresholds([row(0.4), row(0.2), row(0.4)])).toEqual([0, 0.30000000000000004, 1]);
    // Out-of-range P_fail (a hostile router): the midpoints 0 and 1 are not repeated, 1.5 is not a threshold.
    expect(candidateThresholds([row(-0.5), row(0.5), row(1.5), row(2.5)])).toEqual([0, 1]);
  });

  it("scores given thresholds in ascending order whatever order they come in", () => {
    const rows = [row(0.1), row(0.5), row(0.9)];
    expect(calibrationProfile(rows, [0.9, 0.2, 0.7, 0.05, 0.5]).map((p) => p.threshold)).toEqual([
      0.05, 0.2, 0.5, 0.7, 0.9,
    ]);
  });
});

describe("which threshold each target chooses", () => {
  it("escalation rate: a rate exactly at the target is allowed", () => {
    // Thresholds 0, 0.3, 0.7, 1 escalate 3/3, 2/3, 1/3, 0 of the queries; at most 2/3 -> 0.3.
    const rows = [row(0.2), row(0.4), row(0.9)];
    const result = thresholdForEscalationRate(rows, 2 / 3);
    expect(result.threshold).toBeCloseTo(0.3, 12);
    expect(result.feasible).toBe(true);
  });

  it("escalation rate with hostile P_fail above 1: the last threshold when none escalates little enough", () => {
    expect(thresholdForEscalationRate([row(1.5), row(2)], 0).threshold).toBe(1);
  });

  it("cost saving out of reach: among the thresholds saving the most, the lowest (it escalates the most)", () => {
    // Every query's Oracle call is free here, the Oracle alone is not: every threshold saves the same, 0.
    const free = { crowdCost: 1, oracleCost: 0, oracleOnlyCost: 1 };
    const result = thresholdForCostSaving([row(0.2, free), row(0.8, free)], 0.5);
    expect(result).toMatchObject({ threshold: 0, feasible: false });
    expect(result.point.costSaving).toBe(0);
  });

  it("cost saving out of reach: the threshold with the largest saving", () => {
    const rows = [row(0.2, { crowdCost: 1 }), row(0.8, { crowdCost: 1 })];
    // Saving: 0 -> 1 - 4/2 = -1, 0.5 -> 1 - 3/2 = -0.5, 1 -> 1 - 2/2 = 0: the largest at 1, none reaches 0.5.
    expect(thresholdForCostSaving(rows, 0.5)).toMatchObject({ threshold: 1, feasible: false });
  });

  it("accuracy out of reach: the most accurate threshold, the lowest among equals", () => {
    // The Oracle is wrong where the crowd is right: escalating nothing (1) is the most accurate, 2/3.
    const rows = [
      row(0.2, { crowdCorrect: true, oracleCorrect: false }),
      row(0.5, { crowdCorrect: false, oracleCorrect: false }),
      row(0.8, { crowdCorrect: true, oracleCorrect: false }),
    ];
    expect(thresholdForAccuracy(rows, 1)).toMatchObject({ threshold: 1, feasible: false });
    // Every threshold equally (in)accurate: the lowest.
    const flat = [row(0.2, { crowdCorrect: false, oracleCorrect: false }), row(0.8, { oracleCorrect: true })];
    expect(thresholdForAccuracy(flat, 1)).toMatchObject({ threshold: 0, feasible: false });
  });

  it("accuracy short of the target by rounding (1e-12) counts as reached", () => {
    const rows = [row(0.2, { crowdCorrect: true }), row(0.8, { crowdCorrect: false, oracleCorrect: false })];
    // Escalating nothing is right on 1/2 queries, and so is everything else; all cost the least at 1.
    expect(thresholdForAccuracy(rows, 0.5 + 1e-12)).toMatchObject({ threshold: 1, feasible: true });
  });

  it("accuracy: the cheapest threshold reaching it, the higher one among equally cheap", () => {
    // Thresholds 0, 0.3, 0.7, 1. Accuracy 1, 1, 1, 2/3. Costs 2/3, 1/3, 1/3 (the 0.5 query's Oracle call is free).
    const rows = [row(0.9, { crowdCorrect: false }), row(0.5, { oracleCost: 0 }), row(0.1)];
    const result = thresholdForAccuracy(rows, 1);
    expect(result.threshold).toBeCloseTo(0.7, 12);
    expect(result.feasible).toBe(true);
  });

  it("accuracy: the cheapest reaching threshold even when a higher one costs more (costs as given)", () => {
    // A negative Oracle cost (a rebate) makes escalating the 0.5 query cheaper: 0.3 is the cheapest, not 0.7.
    const rows = [row(0.9, { crowdCorrect: false }), row(0.5, { oracleCost: -1 }), row(0.1)];
    expect(thresholdForAccuracy(rows, 1).threshold).toBeCloseTo(0.3, 12);
  });
});

describe("the profile's cost fraction", () => {
  it("is NaN when the Oracle alone costs nothing, even if the crowd costs something", () => {
    const point = profileAt([row(0.5, { crowdCost: 1, oracleCost: 0 })], 1);
    expect(point.costFraction).toBeNaN();
    expect(point.costSaving).toBeNaN();
  });
});

describe("look-ahead estimates and options", () => {
  it("a tier may give both accuracy and a P_fail distribution when they agree (weights need not sum to 1)", () => {
    const distribution = [
      { pFail: 0.1, weight: 3 },
      { pFail: 0.5, weight: 1 },
    ];
    // Mean P_fail = (0.3 + 0.5) / 4 = 0.2.
    expect(tierEstimateSchema.safeParse({ cost: 1, accuracy: 0.8, pFailDistribution: distribution }).success).toBe(
      true,
    );
    const bad = tierEstimateSchema.safeParse({ cost: 1, accuracy: 0.7, pFailDistribution: distribution });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues[0].message).toBe(
      "accuracy must equal 1 - the mean of pFailDistribution (or give only one of them)",
    );
    expect(tierEstimateSchema.safeParse({ cost: 1, accuracy: 0.9, pFailDistribution: distribution }).success).toBe(
      false,
    );
  });

  it("the lookahead option: a positive utility, at least one tier (several allowed), a known rule, nothing else", () => {
    const tier = { cost: 1, accuracy: 0.9 };
    expect(lookaheadOptionsSchema.safeParse({ utility: 10, tiers: [tier, tier], rule: "myopic" }).success).toBe(true);
    expect(lookaheadOptionsSchema.safeParse({ utility: 10, tiers: [tier], rule: "optimal" }).success).toBe(true);
    expect(lookaheadOptionsSchema.safeParse({ utility: 0, tiers: [tier] }).error?.issues[0].message).toBe(
      "must be a positive value of a correct answer",
    );
    expect(lookaheadOptionsSchema.safeParse({ utility: 1, tiers: [] }).error?.issues[0].message).toBe(
      "needs one estimate per tier above the crowd",
    );
    expect(lookaheadOptionsSchema.safeParse({ utility: 1, tiers: [tier], rule: "greedy" }).success).toBe(false);
    expect(lookaheadOptionsSchema.safeParse({ utility: 1, tiers: [tier], extra: 1 }).success).toBe(false);
  });

  it("bad look-ahead input is refused with the fix", () => {
    const error = configError(() => lookaheadDecision({ pFail: 2, remaining: [], utility: 1 }));
    expect(error.field).toContain("lookahead");
    expect(error.fix).toBe(
      "pass pFail in [0, 1], a positive utility and, per remaining tier, its cost and accuracy (or pFailDistribution).",
    );
  });
});

describe("look-ahead decisions in exact numbers", () => {
  it("Equation 5's threshold divides the cost by the utility", () => {
    expect(myopicThreshold({ cost: 0.2, accuracy: 0.9 }, 2)).toBeCloseTo(0.2, 15);
  });

  it("values stopping at (1 - P_fail) x U, and decides by the optimal rule by default", () => {
    const decision = lookaheadDecision({ pFail: 0.25, remaining: [{ cost: 1, accuracy: 0.9 }], utility: 4 });
    expect(decision.rule).toBe("optimal");
    expect(decision.valueStop).toBe(3);
    expect(decision.valueContinue).toBeCloseTo(2.6, 12);
    expect(decision.escalate).toBe(false);
  });

  it("the myopic rule reads the next tier's accuracy from its P_fail distribution when no accuracy is given", () => {
    const decision = lookaheadDecision(
      {
        pFail: 0.5,
        remaining: [
          {
            cost: 0.5,
            pFailDistribution: [
              { pFail: 0, weight: 1 },
              { pFail: 0.5, weight: 1 },
            ],
          },
        ],
        utility: 2,
      },
      "myopic",
    );
    // Accuracy 0.75: 0.75 x 2 - 0.5 = 1 against 0.5 x 2 = 1.
    expect(decision.valueContinue).toBe(1);
    expect(decision.valueStop).toBe(1);
    expect(decision.escalate).toBe(false);
  });

  it.each([["myopic"], ["optimal"]] as const)("%s: equal values do not escalate", (rule) => {
    const decision = lookaheadDecision({ pFail: 0.5, remaining: [{ cost: 0.25, accuracy: 0.75 }], utility: 1 }, rule);
    expect(decision.valueStop).toBe(0.5);
    expect(decision.valueContinue).toBe(0.5);
    expect(decision.escalate).toBe(false);
  });

  it.each([["myopic"], ["optimal"]] as const)("%s: with no tier left, stop", (rule) => {
    expect(lookaheadDecision({ pFail: 0.9, remaining: [], utility: 1 }, rule)).toEqual({
      escalate: false,
      valueStop: expect.closeTo(0.1, 12),
      valueContinue: Number.NEGATIVE_INFINITY,
      rule,
    });
  });
});
