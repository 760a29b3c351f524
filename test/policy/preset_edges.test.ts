import { describe, expect, it } from "vitest";
import { PyramidConfigError } from "../../src/errors/index.js";
import {
  bootstrapOptionsSchema,
  bootstrapProfile,
  columnAt,
  intervalsAt,
  percentileInterval,
  quantile,
  type BootstrapProfile,
} from "../../src/policy/bootstrap.js";
import type { GradedPrediction } from "../../src/policy/calibrate.js";
import { calibratePresets, presetSpecSchema } from "../../src/policy/presets.js";
import { describeGuarantee } from "../../src/policy/risk_control.js";
import { selectWithConfidence, targetHolds, targetProbability } from "../../src/policy/robust_presets.js";
import { thrownBy } from "../helpers/thrown.js";

// Edges of the bootstrap, the robust choice and the preset calibration (found by mutation testing, docs/testing.md).

describe("quantiles and intervals", () => {
  it("interpolates linearly between order statistics, leaving NaN out", () => {
    expect(quantile([3, 1, 2, Number.NaN, 4], 0.5)).toBe(2.5);
    expect(quantile([10, 0], 0.25)).toBe(2.5);
    expect(quantile([5], 0.9)).toBe(5);
    expect(quantile([Number.NaN], 0.5)).toBeNaN();
    expect(quantile([], 0.5)).toBeNaN();
  });

  it("clamps q to [0, 1]", () => {
    expect(quantile([1, 2, 3], -1)).toBe(1);
    expect(quantile([1, 2, 3], 2)).toBe(3);
  });

  it("the central interval at a level: 0.9 -> the 5th and 95th percentiles", () => {
    const values = Array.from({ length: 101 }, (_, i) => i);
    const [low, high] = percentileInterval(values, 0.9);
    expect(low).toBeCloseTo(5, 12);
    expect(high).toBeCloseTo(95, 12);
    expect(percentileInterval(values, 0.5)).toEqual([25, 75]);
  });
});

describe("the bootstrap profile", () => {
  const rows: GradedPrediction[] = [
    { pFail: 0.9, crowdCorrect: false, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
    { pFail: 0.1, crowdCorrect: true, oracleCorrect: true, crowdCost: 1, oracleCost: 10, oracleOnlyCost: 20 },
  ];

  it("options: defaults 1000 resamples, seed 1, level 0.9; bounds refused", () => {
    expect(bootstrapOptionsSchema.parse({})).toEqual({ resamples: 1000, seed: 1, level: 0.9 });
    expect(bootstrapOptionsSchema.safeParse({ resamples: 9 }).success).toBe(false);
    expect(bootstrapOptionsSchema.safeParse({ resamples: 10 }).success).toBe(true);
    expect(bootstrapOptionsSchema.safeParse({ resamples: 100_001 }).success).toBe(false);
    expect(bootstrapOptionsSchema.safeParse({ seed: -1 }).success).toBe(false);
    expect(bootstrapOptionsSchema.safeParse({ level: 1 }).success).toBe(false);
    expect(bootstrapOptionsSchema.safeParse({ level: 0 }).success).toBe(false);
    expect(bootstrapOptionsSchema.safeParse({ other: 1 }).success).toBe(false);
  });

  it("per resample: the figures of each threshold, sorted, with the tiers alone on the same draw", () => {
    const profile = bootstrapProfile(rows, [1, 0, 0.5], { resamples: 200, seed: 4, level: 0.8 });
    expect(profile.thresholds).toEqual([0, 0.5, 1]);
    expect(profile).toMatchObject({ resamples: 200, seed: 4, level: 0.8 });
    for (let b = 0; b < 200; b++) {
      const at = (j: number) => b * 3 + j;
      // Weight of the 0.9 query in this resample (0, 1 or 2 of the 2 draws): the crowd's accuracy is the other's share.
      const hard = 2 - 2 * profile.crowdAccuracy[b];
      expect(profile.oracleAccuracy[b]).toBe(1);
      // Threshold 0 escalates both, 0.5 the hard one, 1 none.
      expect(profile.escalationRate[at(0)]).toBe(1);
      expect(profile.escalationRate[at(1)]).toBeCloseTo(hard / 2, 12);
      expect(profile.escalationRate[at(2)]).toBe(0);
      expect(profile.accuracy[at(0)]).toBe(1);
      expect(profile.accuracy[at(1)]).toBe(1);
      expect(profile.accuracy[at(2)]).toBeCloseTo(profile.crowdAccuracy[b], 12);
      // Oracle alone: 10 per hard query, 20 per easy one; the pyramid pays 1 per query plus 10 per escalation.
      const easy = 2 - hard;
      const alone = 10 * hard + 20 * easy;
      expect(profile.costSaving[at(2)]).toBeCloseTo(1 - 2 / alone, 12);
      expect(profile.costSaving[at(1)]).toBeCloseTo(1 - (2 + 10 * hard) / alone, 12);
      expect(profile.costSaving[at(0)]).toBeCloseTo(1 - 22 / alone, 12);
    }
    // Both kinds of draw occur in 200 resamples.
    expect(new Set(profile.crowdAccuracy).size).toBe(3);
  });

  it("columns and intervals of one threshold", () => {
    const profile: BootstrapProfile = {
      thresholds: [0, 1],
      resamples: 3,
      seed: 1,
      level: 0.5,
      accuracy: Float64Array.from([0.5, 0.6, 0.7, 0.8, 0.9, 1]),
      costSaving: Float64Array.from([0, 0.1, 0.2, 0.3, 0.4, 0.5]),
      escalationRate: Float64Array.from([1, 0, 1, 0, 1, 0]),
      crowdAccuracy: Float64Array.from([0.5, 0.5, 0.5]),
      oracleAccuracy: Float64Array.from([0.6, 0.7, 0.8]),
    };
    expect([...columnAt(profile, profile.accuracy, 1)]).toEqual([0.6, 0.8, 1]);
    const intervals = intervalsAt(profile, 1);
    expect(intervals.accuracy).toEqual([0.7, 0.9]);
    expect(intervals.costSaving[0]).toBeCloseTo(0.2, 12);
    expect(intervals.costSaving[1]).toBeCloseTo(0.4, 12);
    expect(intervals.escalationRate).toEqual([0, 0]);
    // Accuracy minus the same resample's Oracle: 0, 0.1, 0.2.
    expect(intervals.accuracyMinusOracle[0]).toBeCloseTo(0.05, 12);
    expect(intervals.accuracyMinusOracle[1]).toBeCloseTo(0.15, 12);
  });
});

describe("targets on one resample", () => {
  const profile: BootstrapProfile = {
    thresholds: [0, 1],
    resamples: 1,
    seed: 1,
    level: 0.9,
    accuracy: Float64Array.from([0.8, 0.7]),
    costSaving: Float64Array.from([0.2, 0.5]),
    escalationRate: Float64Array.from([0.4, 0.1]),
    crowdAccuracy: Float64Array.from([0.6]),
    oracleAccuracy: Float64Array.from([0.8]),
  };

  it("each kind reads its own figure, at the target exactly", () => {
    expect(targetHolds(profile, { kind: "baseline-match" }, 0, 0)).toBe(true);
    expect(targetHolds(profile, { kind: "baseline-match" }, 0, 1)).toBe(false);
    expect(targetHolds(profile, { kind: "risk-control", delta: 0.1 }, 0, 1)).toBe(true);
    expect(targetHolds(profile, { kind: "risk-control", delta: 0.05 }, 0, 1)).toBe(false);
    // Half the gap from 0.6 to 0.8 is 0.7.
    expect(targetHolds(profile, { kind: "accuracy-gap", fraction: 0.5 }, 0, 1)).toBe(true);
    expect(targetHolds(profile, { kind: "accuracy-gap", fraction: 0.6 }, 0, 1)).toBe(false);
    expect(targetHolds(profile, { kind: "cost-saving", target: 0.5 }, 0, 1)).toBe(true);
    expect(targetHolds(profile, { kind: "cost-saving", target: 0.5 }, 0, 0)).toBe(false);
    expect(targetHolds(profile, { kind: "escalation-rate", target: 0.1 }, 0, 1)).toBe(true);
    expect(targetHolds(profile, { kind: "escalation-rate", target: 0.1 }, 0, 0)).toBe(false);
    expect(targetProbability(profile, { kind: "cost-saving", target: 0.3 }, 1)).toBe(1);
    expect(targetProbability(profile, { kind: "cost-saving", target: 0.3 }, 0)).toBe(0);
  });
});

describe("selectWithConfidence: the fallback when no threshold is confident enough", () => {
  // Three thresholds, four resamples; escalation rates per resample and threshold.
  const profile: BootstrapProfile = {
    thresholds: [0, 0.5, 1],
    resamples: 4,
    seed: 1,
    level: 0.9,
    accuracy: new Float64Array(12),
    costSaving: new Float64Array(12),
    escalationRate: Float64Array.from([1, 0.5, 0.2, 1, 0.5, 0.2, 1, 0.3, 0.3, 1, 0.3, 0.3]),
    crowdAccuracy: new Float64Array(4),
    oracleAccuracy: new Float64Array(4),
  };
  const points = [0, 0.5, 1].map((threshold, j) => ({
    threshold,
    escalationRate: 0,
    accuracy: 0,
    meanCost: 3 - j,
    costSaving: 0,
    recallOfCrowdErrors: 0,
    precision: 0,
  }));

  it("the threshold where the target holds most often", () => {
    // At most 0.25 escalated: holds in 0, 0 and 2 of 4 resamples.
    expect(selectWithConfidence(profile, points, { kind: "escalation-rate", target: 0.25 }, 0.9)).toEqual({
      index: 2,
      feasible: false,
      probability: 0.5,
    });
  });

  it("among equally often, the cheapest", () => {
    // At most 0.3: 0.5 holds in 2 of 4, 1 in 4 of 4 -> confident; at most 0.4 with confidence 1.1 is never reached.
    expect(selectWithConfidence(profile, points, { kind: "escalation-rate", target: 0.3 }, 0.9).index).toBe(2);
    expect(selectWithConfidence(profile, points, { kind: "escalation-rate", target: 0.6 }, 0.9)).toEqual({
      index: 1,
      feasible: true,
      probability: 1,
    });
    const tie = selectWithConfidence(profile, points, { kind: "escalation-rate", target: 0.05 }, 0.9);
    // Holds nowhere (0 of 4 everywhere): the cheapest, the last.
    expect(tie).toEqual({ index: 2, feasible: false, probability: 0 });
  });
});

describe("calibratePresets: refusals and the unit cost model", () => {
  const rows: GradedPrediction[] = Array.from({ length: 20 }, (_, i) => ({
    pFail: (i + 0.5) / 20,
    crowdCorrect: i < 14,
    oracleCorrect: true,
    crowdCost: 0,
    oracleCost: 0,
  }));

  it("a confidence without the bootstrap is refused naming the preset's field", () => {
    const error = thrownBy(() => calibratePresets(rows, undefined, { bootstrap: false })) as PyramidConfigError;
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect(error.field).toBe("presetSpecs.economy.confidence");
    expect(error.fix).toBe("drop confidence from the spec, or leave the bootstrap on.");
  });

  it("a bad spec is refused naming the preset, with the fix", () => {
    const specs = {
      economy: { kind: "cost-saving", target: 2 },
      balanced: { kind: "baseline-match" },
      "baseline-match": { kind: "baseline-match" },
    } as never;
    const error = thrownBy(() => calibratePresets(rows, specs, { bootstrap: false })) as PyramidConfigError;
    expect(error.field).toBe("presetSpecs.economy.target");
    expect(error.fix).toBe('see presetSpecSchema: e.g. { kind: "baseline-match", confidence: 0.9 }.');
  });

  it("traces without costs are calibrated at 1 per Oracle call and 0 for the crowd", () => {
    const specs = {
      economy: { kind: "cost-saving" as const, target: 0.7 },
      balanced: { kind: "escalation-rate" as const, target: 0.3 },
      "baseline-match": { kind: "baseline-match" as const },
    };
    const result = calibratePresets(rows, specs, { bootstrap: false });
    expect(result.costModel).toBe("unit");
    expect(result.bootstrap).toBeUndefined();
    // Saving 70% with unit costs = escalating at most 30%: the six highest P_fail (0.725 and up).
    expect(result.reports.economy.escalationRate).toBeCloseTo(0.3, 12);
    expect(result.reports.economy.costSaving).toBeCloseTo(0.7, 12);
    expect(result.presets.economy).toBeCloseTo(0.7, 12);
    expect(result.reports.economy.targetProbability).toBeUndefined();
    expect(result.reports.economy.intervals).toBeUndefined();
    expect(result.reports.economy.guarantee).toBeUndefined();
  });

  it("the spec schema accepts each kind with its own fields only", () => {
    expect(presetSpecSchema.safeParse({ kind: "risk-control", delta: 0.02, alpha: 0.1 }).success).toBe(true);
    expect(presetSpecSchema.safeParse({ kind: "risk-control", delta: 1, alpha: 0.1 }).success).toBe(false);
    expect(presetSpecSchema.safeParse({ kind: "risk-control", delta: 0.02, alpha: 1 }).success).toBe(false);
    expect(presetSpecSchema.safeParse({ kind: "accuracy-gap", fraction: 1.5 }).success).toBe(false);
    expect(presetSpecSchema.safeParse({ kind: "baseline-match", confidence: 1 }).success).toBe(false);
    expect(presetSpecSchema.safeParse({ kind: "escalation-rate", target: 0.3, confidence: 0.9 }).success).toBe(true);
  });
});

describe("describeGuarantee", () => {
  it("states the guarantee in points and percent, naming the test (binomial by default)", () => {
    expect(describeGuarantee({ delta: 0.005, alpha: 0.1 })).toBe(
      "accuracy at least the Oracle alone's minus 0.5 points with probability at least 90% (Learn-then-Test on the calibration rows: exact binomial tests, in a fixed sequence, that at most 0.5% of queries are ones the Oracle answers right and the pyramid wrong; holds for queries exchangeable with them)",
    );
    expect(describeGuarantee({ delta: 0.02, alpha: 0.05, test: "betting" })).toBe(
      "accuracy at least the Oracle alone's minus 2.0 points with probability at least 95% (Learn-then-Test on the calibration rows: fixed-sequence betting tests of each threshold; holds for queries exchangeable with them)",
    );
  });
});
