import { describe, expect, it } from "vitest";
import { calibratePresets, DEFAULT_PRESET_SPECS, PyramidConfigError, type GradedPrediction } from "../../src/index.js";
import { bootstrapProfile, candidateThresholds, targetProbability } from "../../src/router/train/index.js";
import { thrownBy } from "../helpers/thrown.js";

const row = (pFail: number, crowdCorrect: boolean, oracleCorrect: boolean): GradedPrediction => ({
  pFail,
  crowdCorrect,
  oracleCorrect,
  crowdCost: 1,
  oracleCost: 10,
});

/**
 * Twenty queries with a known bootstrap answer. The Oracle is right on all but the 0.6 query, where the crowd is right;
 * the crowd is wrong on the two 0.9 queries and on the 0.5 one; the sixteen others are easy for both.
 * Thresholds: 0, 0.3, 0.55, 0.75, 1.
 * - t = 0.75 escalates the two 0.9 queries and matches the Oracle on the set (the 0.6 query, which the crowd gets right
 *   and the Oracle wrong, makes up for the 0.5 one). In a resample with X copies of the 0.6 query and Y of the 0.5 one,
 *   the pyramid is at or above the Oracle iff X >= Y: about 65% of resamples.
 * - t = 0.55 also escalates the 0.6 query: at or above the Oracle iff Y = 0, (19/20)^20 = 36% of resamples.
 * - t = 0.3 escalates every query the two tiers disagree on: always equal to the Oracle.
 */
const rows: GradedPrediction[] = [
  row(0.9, false, true),
  row(0.9, false, true),
  row(0.6, true, false),
  row(0.5, false, true),
  ...Array.from({ length: 16 }, () => row(0.1, true, true)),
];

/** P(X >= Y) for the counts X, Y of two given rows among n draws with replacement from n rows (exact). */
function exactShareNotBelow(n: number): number {
  const logFactorial = (k: number): number => {
    let s = 0;
    for (let i = 2; i <= k; i++) s += Math.log(i);
    return s;
  };
  let total = 0;
  for (let x = 0; x <= n; x++) {
    for (let y = 0; x + y <= n && y <= x; y++) {
      const rest = n - x - y;
      total += Math.exp(
        logFactorial(n) -
          logFactorial(x) -
          logFactorial(y) -
          logFactorial(rest) +
          (x + y) * Math.log(1 / n) +
          rest * Math.log((n - 2) / n),
      );
    }
  }
  return total;
}

describe("presets chosen with sampling noise accounted for (bootstrap)", () => {
  it("resamples with the known probabilities: the paired share of resamples at or above the Oracle", () => {
    const thresholds = candidateThresholds(rows);
    expect(thresholds).toEqual([0, 0.3, 0.55, 0.75, 1]);
    const profile = bootstrapProfile(rows, thresholds, { resamples: 20000, seed: 7 });
    const baselineMatch = { kind: "baseline-match" } as const;
    expect(targetProbability(profile, baselineMatch, 3)).toBeCloseTo(exactShareNotBelow(20), 1.5); // ~0.65, within 0.016
    expect(targetProbability(profile, baselineMatch, 2)).toBeCloseTo((19 / 20) ** 20, 1.5);
    expect(targetProbability(profile, baselineMatch, 1)).toBe(1);
    expect(targetProbability(profile, baselineMatch, 0)).toBe(1);
    // The resampled Oracle accuracy centres on the set's (19/20).
    const mean = profile.oracleAccuracy.reduce((a, b) => a + b, 0) / profile.resamples;
    expect(mean).toBeCloseTo(0.95, 2);
  });

  it("baseline-match: the cheapest threshold at or above the Oracle in at least `confidence` of the resamples", () => {
    const point = calibratePresets(rows, { ...DEFAULT_PRESET_SPECS, "baseline-match": { kind: "baseline-match" } });
    expect(point.presets["baseline-match"]).toBe(0.75); // on the set itself: equal to the Oracle at 0.75
    const confident = calibratePresets(rows, DEFAULT_PRESET_SPECS, { bootstrap: { resamples: 2000, seed: 1 } });
    expect(confident.presets["baseline-match"]).toBe(0.3);
    const report = confident.reports["baseline-match"];
    expect(report).toMatchObject({ feasible: true, targetProbability: 1, accuracy: 0.95 });
    expect(report.intervals?.accuracyMinusOracle).toEqual([0, 0]);
    expect(report.intervals?.escalationRate[0]).toBeLessThanOrEqual(0.2);
    expect(report.intervals?.escalationRate[1]).toBeGreaterThanOrEqual(0.2);
    // At 60% confidence the 0.75 threshold (~65%) qualifies and is cheaper.
    const lenient = calibratePresets(rows, {
      ...DEFAULT_PRESET_SPECS,
      "baseline-match": { kind: "baseline-match", confidence: 0.6 },
    });
    expect(lenient.presets["baseline-match"]).toBe(0.75);
    expect(lenient.reports["baseline-match"].targetProbability).toBeGreaterThan(0.6);
    expect(lenient.reports["baseline-match"].targetProbability).toBeLessThan(0.7);
    // Seeded: the same seed gives the same presets and intervals.
    const again = calibratePresets(rows, DEFAULT_PRESET_SPECS, { bootstrap: { resamples: 2000, seed: 1 } });
    expect(again).toEqual(confident);
  });

  it("a budget with confidence escalates less than the point estimate allows, and presets stay ordered by cost", () => {
    // Unit costs (none recorded): a 70% saving is "escalate at most 30% of the queries". On the set, t = 0.3
    // escalates 20%; in a resample, the share escalated by t = 0.3 exceeds 30% now and then.
    const unit = rows.map((r) => ({ ...r, crowdCost: 0, oracleCost: 0 }));
    // At most 25% escalated: t = 0.3 escalates 4 of 20 on the set, but more than 5 of 20 in ~20% of the resamples
    // (binomial(20, 0.2)); t = 0.55 escalates 3 of 20, more than 5 in ~7% of them.
    const specs = {
      economy: { kind: "escalation-rate", target: 0.25, confidence: 0.9 },
      balanced: { kind: "accuracy-gap", fraction: 1, confidence: 0.9 },
      "baseline-match": { kind: "baseline-match", confidence: 0.9 },
    } as const;
    const result = calibratePresets(unit, specs, { bootstrap: { resamples: 2000, seed: 3 } });
    expect(result.costModel).toBe("unit");
    const economy = result.reports.economy;
    expect(economy).toMatchObject({ threshold: 0.55, raisedForOrder: false, feasible: true, escalationRate: 0.15 });
    expect(economy.targetProbability).toBeGreaterThanOrEqual(0.9);
    const point = calibratePresets(
      unit,
      { ...specs, economy: { kind: "escalation-rate", target: 0.25 } },
      { bootstrap: { resamples: 2000, seed: 3 } },
    );
    expect(point.presets.economy).toBe(0.3);
    expect(point.reports.economy.targetProbability).toBeLessThan(0.9);
    expect(result.presets.economy).toBeGreaterThanOrEqual(result.presets.balanced);
    expect(result.presets.balanced).toBeGreaterThanOrEqual(result.presets["baseline-match"]);
    expect(result.bootstrap).toEqual({ resamples: 2000, seed: 3, level: 0.9 });
  });

  it("refuses a confidence without a bootstrap, and bad specs, with the field named", () => {
    const error = thrownBy(() => calibratePresets(rows, DEFAULT_PRESET_SPECS, { bootstrap: false }));
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect((error as PyramidConfigError).field).toBe("presetSpecs.economy.confidence");
    const bad = {
      ...DEFAULT_PRESET_SPECS,
      balanced: { kind: "accuracy-gap", fraction: 0.5, confidence: 1.5 },
    } as const;
    expect(() => calibratePresets(rows, bad)).toThrow(/presetSpecs\.balanced\.confidence|too big|<1/);
    expect(() => calibratePresets(rows, DEFAULT_PRESET_SPECS, { bootstrap: { resamples: 3 } })).toThrow();
    // Without confidence and without a bootstrap: the version 1 behaviour, no intervals.
    const plain = Object.fromEntries(
      Object.entries(DEFAULT_PRESET_SPECS).map(([k, v]) => [k, { ...v, confidence: undefined }]),
    );
    const result = calibratePresets(rows, plain as typeof DEFAULT_PRESET_SPECS, { bootstrap: false });
    expect(result.reports["baseline-match"].intervals).toBeUndefined();
    expect(result.presets["baseline-match"]).toBe(0.75);
  });
});
