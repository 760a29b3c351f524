import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PyramidConfigError } from "../../src/errors/index.js";
import {
  baselineMatchThreshold,
  candidateThresholds,
  performanceAt,
  calibrationProfile,
  thresholdForAccuracyGap,
  thresholdForCostSaving,
  thresholdForEscalationRate,
  tierBaselines,
  type GradedPrediction,
} from "../../src/policy/calibrate.js";
import { calibratePresets } from "../../src/policy/presets.js";

/**
 * Ten queries. The crowd (cost 1) is wrong on the four with the highest P_fail but one (0.7); the
 * Oracle (cost 10) is right except on the 0.5 query. Oracle alone: 9/10 correct, cost 100.
 */
const rows: GradedPrediction[] = [
  { pFail: 0.05, crowdCorrect: true, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.1, crowdCorrect: true, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.15, crowdCorrect: true, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.2, crowdCorrect: true, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.3, crowdCorrect: true, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.5, crowdCorrect: true, oracleCorrect: false, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.6, crowdCorrect: false, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.7, crowdCorrect: true, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.8, crowdCorrect: false, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.9, crowdCorrect: false, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
];

describe("calibration on graded predictions", () => {
  it("scores a threshold: escalation, accuracy, cost, saving, recall, precision", () => {
    // t = 0.65 escalates 0.7, 0.8, 0.9: fixes two crowd errors, leaves the 0.6 one.
    const p = performanceAt(rows, 0.65);
    expect(p.escalationRate).toBeCloseTo(0.3, 12);
    expect(p.accuracy).toBeCloseTo(0.9, 12);
    expect(p.meanCost).toBeCloseTo(4, 12); // 10 x 1 + 3 x 10 = 40 over 10 queries
    expect(p.costSaving).toBeCloseTo(0.6, 12);
    expect(p.recallOfCrowdErrors).toBeCloseTo(2 / 3, 12);
    expect(p.precision).toBeCloseTo(2 / 3, 12);
    const none = performanceAt(rows, 1);
    expect(none).toMatchObject({ escalationRate: 0, accuracy: 0.7, meanCost: 1 });
    expect(none.precision).toBeNaN();
    const all = performanceAt(rows, 0);
    expect(all).toMatchObject({ escalationRate: 1, accuracy: 0.9, meanCost: 11, recallOfCrowdErrors: 1 });
    expect(tierBaselines(rows)).toEqual({
      crowdAccuracy: 0.7,
      oracleAccuracy: 0.9,
      crowdMeanCost: 1,
      oracleMeanCost: 10,
    });
  });

  it("profiles every distinct behaviour, at midpoints between P_fail values", () => {
    const thresholds = candidateThresholds(rows);
    expect(thresholds).toHaveLength(11);
    expect(thresholds[0]).toBe(0);
    expect(thresholds[1]).toBeCloseTo(0.075, 12);
    expect(thresholds[10]).toBe(1);
    const profile = calibrationProfile(rows);
    expect(profile.map((p) => p.escalationRate)).toEqual(
      [1, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0].map((x) => expect.closeTo(x, 12)),
    );
  });

  it("finds thresholds for an escalation rate, a cost saving, an accuracy gap and baseline match", () => {
    const rate = thresholdForEscalationRate(rows, 0.25);
    expect(rate.threshold).toBeCloseTo(0.75, 12); // escalates 0.8 and 0.9
    expect(rate.point.escalationRate).toBeCloseTo(0.2, 12);
    const saving = thresholdForCostSaving(rows, 0.5);
    // Saving >= 50% allows 4 escalations (cost 50): t between 0.5 and 0.6.
    expect(saving.threshold).toBeCloseTo(0.55, 12);
    expect(saving.point.costSaving).toBeCloseTo(0.5, 12);
    expect(saving.feasible).toBe(true);
    // Baseline match (accuracy >= 0.9): escalating 0.8 and 0.9 is the cheapest way (t = 0.75);
    // escalating the 0.6 query too would reach 1.0 but costs more.
    const match = baselineMatchThreshold(rows);
    expect(match.threshold).toBeCloseTo(0.75, 12);
    expect(match.point.accuracy).toBeCloseTo(0.9, 12);
    expect(match.point.meanCost).toBeCloseTo(3, 12);
    expect(match.feasible).toBe(true);
    // Half the gap: accuracy >= 0.8, reached escalating only 0.9 (t = 0.85).
    const half = thresholdForAccuracyGap(rows, 0.5);
    expect(half.threshold).toBeCloseTo(0.85, 12);
    expect(half.point.accuracy).toBeCloseTo(0.8, 12);
  });

  it("reports an unreachable saving as infeasible and refuses bad targets", () => {
    const result = thresholdForCostSaving(rows, 0.95); // the crowd alone already costs 10% of the Oracle
    expect(result.feasible).toBe(false);
    expect(result.threshold).toBe(1);
    expect(() => thresholdForCostSaving(rows, 1.2)).toThrow(PyramidConfigError);
    expect(() => performanceAt([], 0.5)).toThrow(/at least one graded query/);
    const free = rows.map((r) => ({ ...r, crowdCost: 0, oracleCost: 0 }));
    expect(() => thresholdForCostSaving(free, 0.5)).toThrow(/Oracle alone costs nothing/);
  });

  it("calibrates the presets on the point estimate (specs without confidence), ordered by cost", () => {
    // The defaults require each target to hold in 90% of bootstrap resamples (test/router/robust_presets.test.ts);
    // without `confidence` the thresholds are chosen on the set itself, as here.
    const pointSpecs = {
      economy: { kind: "cost-saving", target: 0.7 },
      balanced: { kind: "accuracy-gap", fraction: 0.5 },
      "baseline-match": { kind: "baseline-match" },
    } as const;
    const { presets, reports, costModel } = calibratePresets(rows, pointSpecs);
    expect(costModel).toBe("recorded");
    // economy: saving >= 70% allows 2 escalations (t = 0.75), but balanced (t = 0.85) is cheaper
    // still, so economy is raised to it to keep the order.
    expect(presets.economy).toBeCloseTo(0.85, 12);
    expect(reports.economy.raisedForOrder).toBe(true);
    expect(reports.economy.feasible).toBe(true);
    expect(reports.economy.costSaving).toBeCloseTo(0.8, 12);
    expect(presets.balanced).toBeCloseTo(0.85, 12);
    expect(reports.balanced.raisedForOrder).toBe(false);
    expect(presets["baseline-match"]).toBeCloseTo(0.75, 12);
    expect(reports["baseline-match"].recallOfCrowdErrors).toBeCloseTo(2 / 3, 12);
    // Without costs, a saving target becomes an escalation budget.
    const free = calibratePresets(
      rows.map((r) => ({ ...r, crowdCost: 0, oracleCost: 0 })),
      pointSpecs,
    );
    expect(free.costModel).toBe("unit");
    expect(free.reports.economy.escalationRate).toBeLessThanOrEqual(0.3);
  });

  it("reports baseline match as infeasible when a crowd error has P_fail exactly 0", () => {
    const zero = [{ pFail: 0, crowdCorrect: false, oracleCorrect: true, crowdCost: 0, oracleCost: 1 }];
    const result = baselineMatchThreshold(zero);
    expect(result.feasible).toBe(false);
    expect(result.point.accuracy).toBe(0);
  });

  it("keeps economy >= balanced >= baseline-match thresholds on any graded set", () => {
    // A router's P_fail is never exactly 0 (XGBoost's float32 sigmoid stays above 1e-39); a query
    // with P_fail 0 could not be escalated by any threshold >= 0 (see the next test).
    const row = fc.record({
      pFail: fc.double({ min: 1e-30, max: 1, noNaN: true }),
      crowdCorrect: fc.boolean(),
      oracleCorrect: fc.boolean(),
      crowdCost: fc.double({ min: 0, max: 1, noNaN: true }),
      oracleCost: fc.double({ min: 0.01, max: 10, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 40 }), (graded) => {
        // The default specs with a smaller bootstrap: the order holds for any resamples, and 100 keep this 200-run
        // property fast enough for mutation runs (1000, the default, made each run of it take seconds under Stryker).
        const { presets, reports } = calibratePresets(graded, undefined, { bootstrap: { resamples: 100 } });
        expect(presets.economy).toBeGreaterThanOrEqual(presets.balanced);
        expect(presets.balanced).toBeGreaterThanOrEqual(presets["baseline-match"]);
        expect(reports.economy.costSaving).toBeGreaterThanOrEqual(reports["baseline-match"].costSaving - 1e-12);
        expect(reports["baseline-match"].accuracy).toBeGreaterThanOrEqual(tierBaselines(graded).oracleAccuracy - 1e-12);
      }),
      { numRuns: 200 },
    );
  });
});
