import { describe, expect, it } from "vitest";
import { PyramidConfigError } from "../../src/errors/index.js";
import { bootstrapProfile } from "../../src/policy/bootstrap.js";
import { candidateThresholds, type GradedPrediction } from "../../src/policy/calibrate.js";
import { calibratePresets, type PresetName, type PresetSpec, presetSpecSchema } from "../../src/policy/presets.js";
import { riskControlledThreshold } from "../../src/policy/risk_control.js";
import { targetProbability } from "../../src/policy/robust_presets.js";
import { thrownBy } from "../helpers/thrown.js";

// calibratePresets beyond the choice of each threshold (found by mutation testing, docs/testing.md): which presets are
// raised to keep the order by cost, whether a raised preset still meets its target (on the set, or in `confidence` of
// the resamples), Learn-then-Test for risk-control specs whatever their `confidence`, and the seed of its betting test.

type Specs = Record<PresetName, PresetSpec>;

const query = (pFail: number, crowdCorrect: boolean): GradedPrediction => ({
  pFail,
  crowdCorrect,
  oracleCorrect: true,
  crowdCost: 0,
  oracleCost: 1,
});

/**
 * Four queries, the Oracle right on all, costing 1 per call (the crowd 0): the crowd is wrong on a (P_fail 0.75) and
 * c (0.25). d has P_fail 0, so thresholds 0 and 0.125 escalate the same queries. Candidates 0, 0.125, 0.375, 0.625, 1:
 *
 * | threshold | escalated | rate | accuracy | cost | saving |
 * |---|---|---|---|---|---|
 * | 0, 0.125 | a, b, c | 0.75 | 1 | 3 | 0.25 |
 * | 0.375 | a, b | 0.5 | 0.75 | 2 | 0.5 |
 * | 0.625 | a | 0.25 | 0.75 | 1 | 0.75 |
 * | 1 | none | 0 | 0.5 | 0 | 1 |
 *
 * The crowd alone: 0.5, the Oracle alone: 1 (cost 4). Baseline match: the cheapest threshold at accuracy 1, 0 and
 * 0.125 tie in cost, the higher wins: 0.125.
 */
const rows: GradedPrediction[] = [query(0.75, false), query(0.5, true), query(0.25, false), query(0, true)];
const baselineMatch = { kind: "baseline-match" } as const;

describe("a preset raised to keep the order by cost, without confidence: its target checked on the set", () => {
  it("an escalation budget met exactly stays feasible (0.75 escalated, at most 0.75 allowed)", () => {
    // economy's own threshold is 0 (the lowest escalating at most 0.75); baseline-match's is 0.125.
    const specs: Specs = {
      economy: { kind: "escalation-rate", target: 0.75 },
      balanced: baselineMatch,
      "baseline-match": baselineMatch,
    };
    const { presets, reports } = calibratePresets(rows, specs, { bootstrap: false });
    expect(presets).toEqual({ economy: 0.125, balanced: 0.125, "baseline-match": 0.125 });
    expect(reports.economy).toMatchObject({ raisedForOrder: true, feasible: true, escalationRate: 0.75 });
    expect(reports.balanced.raisedForOrder).toBe(false);
  });

  it("a cost saving met exactly stays feasible, and is a saving (not an escalation) target", () => {
    // Saving 0.25 is first reached at threshold 0 (an escalation budget of 0.25 would give 0.625).
    const specs: Specs = {
      economy: { kind: "cost-saving", target: 0.25 },
      balanced: baselineMatch,
      "baseline-match": baselineMatch,
    };
    const { presets, reports } = calibratePresets(rows, specs, { bootstrap: false });
    expect(presets.economy).toBe(0.125);
    expect(reports.economy).toMatchObject({
      raisedForOrder: true,
      feasible: true,
      costSaving: 0.25,
      escalationRate: 0.75,
    });
  });

  it("a saving out of reach stays infeasible when raised to an equally cheap threshold", () => {
    // a's Oracle call is free: the Oracle alone costs 1 (b's), the crowd 2. Saving at 0: 1 - 3 = -2; at 0.5 and 1:
    // 1 - 2 = -1. 50% is out of reach: the first best threshold, 0.5, infeasible; raised to 1 it saves no more.
    const free: GradedPrediction[] = [
      { pFail: 0.75, crowdCorrect: false, oracleCorrect: true, crowdCost: 1, oracleCost: 0 },
      { pFail: 0.25, crowdCorrect: true, oracleCorrect: true, crowdCost: 1, oracleCost: 1 },
    ];
    const specs: Specs = {
      economy: { kind: "cost-saving", target: 0.5 },
      balanced: { kind: "escalation-rate", target: 0 },
      "baseline-match": baselineMatch,
    };
    const { presets, reports } = calibratePresets(free, specs, { bootstrap: false });
    expect(presets).toEqual({ economy: 1, balanced: 1, "baseline-match": 0.5 });
    expect(reports.economy).toMatchObject({ raisedForOrder: true, feasible: false, costSaving: -1 });
  });

  it("accuracy targets raised to a cheaper threshold are not met (they would have been chosen)", () => {
    // baseline-match's spec escalates nothing (threshold 1, accuracy 0.5). balanced: half the gap, 0.75, first
    // reached cheapest at 0.625; economy: the Oracle's 1, at 0.125. Both raised to 1, where 0.5 meets neither.
    const specs: Specs = {
      economy: baselineMatch,
      balanced: { kind: "accuracy-gap", fraction: 0.5 },
      "baseline-match": { kind: "escalation-rate", target: 0 },
    };
    const { presets, reports } = calibratePresets(rows, specs, { bootstrap: false });
    expect(presets).toEqual({ economy: 1, balanced: 1, "baseline-match": 1 });
    expect(reports.economy).toMatchObject({ raisedForOrder: true, feasible: false, accuracy: 0.5 });
    expect(reports.balanced).toMatchObject({ raisedForOrder: true, feasible: false, accuracy: 0.5 });
    expect(reports["baseline-match"]).toMatchObject({ raisedForOrder: false, feasible: true });
  });

  it("a risk-control preset raised keeps its guarantee iff the set's accuracy is within delta of the Oracle's", () => {
    // Four rows certify nothing (no harm among them: 0.75^4 = 0.32 and 0.8^4 = 0.41 are above alpha = 0.1), so
    // economy's own threshold is 0, infeasible. Raised to balanced's 0.625 (the lowest escalating at most 0.25):
    // accuracy 0.75, exactly the Oracle's 1 minus 0.25 (met), but not within 0.2.
    const specs = (delta: number): Specs => ({
      economy: { kind: "risk-control", delta, alpha: 0.1 },
      balanced: { kind: "escalation-rate", target: 0.25 },
      "baseline-match": baselineMatch,
    });
    const met = calibratePresets(rows, specs(0.25), { bootstrap: false });
    expect(met.presets).toEqual({ economy: 0.625, balanced: 0.625, "baseline-match": 0.125 });
    expect(met.reports.economy).toMatchObject({ raisedForOrder: true, feasible: true, accuracy: 0.75 });
    expect(met.reports.economy.guarantee).toMatch(/minus 25\.0 points/);
    const missed = calibratePresets(rows, specs(0.2), { bootstrap: false });
    expect(missed.reports.economy).toMatchObject({ threshold: 0.625, raisedForOrder: true, feasible: false });
    // With a confidence and the bootstrap on, still judged on the set (its guarantee is Learn-then-Test's, not a share
    // of resamples): at 0.625 the accuracy is within 0.25 of the Oracle's only in the resamples drawing c at most once
    // ((3/4)^4 + 4 (1/4) (3/4)^3 = 74%), below the confidence of 90%, yet it is feasible.
    const confident = calibratePresets(
      rows,
      { ...specs(0.25), economy: { kind: "risk-control", delta: 0.25, alpha: 0.1, confidence: 0.9 } },
      { bootstrap: { resamples: 200, seed: 1 } },
    );
    expect(confident.reports.economy).toMatchObject({ threshold: 0.625, raisedForOrder: true, feasible: true });
    expect(confident.reports.economy.targetProbability).toBeGreaterThan(0.6);
    expect(confident.reports.economy.targetProbability).toBeLessThan(0.85);
  });

  it("a preset not raised keeps its own verdict: nothing certified stays infeasible at threshold 0", () => {
    // With the bootstrap on, threshold 0 (the profile's first column) still gets its probability and intervals.
    const guarantee = { kind: "risk-control", delta: 0.25, alpha: 0.1 } as const;
    const specs: Specs = { economy: guarantee, balanced: guarantee, "baseline-match": guarantee };
    const { presets, reports } = calibratePresets(rows, specs, { bootstrap: { resamples: 50, seed: 2 } });
    expect(presets).toEqual({ economy: 0, balanced: 0, "baseline-match": 0 });
    for (const name of ["economy", "balanced", "baseline-match"] as const) {
      // On the set, threshold 0 is as accurate as the Oracle, so only the missing certificate makes it infeasible.
      expect(reports[name]).toMatchObject({
        raisedForOrder: false,
        feasible: false,
        accuracy: 1,
        targetProbability: 1,
      });
      expect(reports[name].intervals?.accuracyMinusOracle).toEqual([0, 0]);
    }
  });
});

describe("a preset raised with confidence: its target checked in the resamples", () => {
  it("feasible iff the target holds in at least `confidence` of them, at that share exactly", () => {
    // At 0 and 0.125 every resample escalates the same draws, saving (draws of d) / 4: at least 0.3 iff d is drawn
    // twice or more (about 26% of resamples), although on the set (0.25) it is not. With `confidence` that share
    // exactly, economy is chosen at 0, raised to 0.125 (baseline-match), and still feasible.
    const target = { kind: "cost-saving", target: 0.3 } as const;
    const bootstrap = { resamples: 200, seed: 4 };
    const share = targetProbability(bootstrapProfile(rows, candidateThresholds(rows), bootstrap), target, 0);
    expect(share).toBeGreaterThan(0.1);
    expect(share).toBeLessThan(0.45);
    const specs: Specs = {
      economy: { ...target, confidence: share },
      balanced: baselineMatch,
      "baseline-match": baselineMatch,
    };
    const { presets, reports } = calibratePresets(rows, specs, { bootstrap });
    expect(presets.economy).toBe(0.125);
    expect(reports.economy).toMatchObject({ raisedForOrder: true, feasible: true, costSaving: 0.25 });
    expect(reports.economy.targetProbability).toBe(share);
  });

  it("infeasible when raised to where the target holds in fewer resamples", () => {
    // balanced (the Oracle's accuracy in 90% of resamples) holds in every resample at 0 and 0.125, chosen 0.125;
    // raised to 1 (crowd alone), it holds only when neither a nor c is drawn: (1/2)^4 = 6% of resamples.
    const specs: Specs = {
      economy: { kind: "escalation-rate", target: 0 },
      balanced: { kind: "accuracy-gap", fraction: 1, confidence: 0.9 },
      "baseline-match": { kind: "escalation-rate", target: 0 },
    };
    const { presets, reports } = calibratePresets(rows, specs, { bootstrap: { resamples: 400, seed: 1 } });
    expect(presets.balanced).toBe(1);
    expect(reports.balanced.raisedForOrder).toBe(true);
    expect(reports.balanced.feasible).toBe(false);
    expect(reports.balanced.targetProbability).toBeLessThan(0.2);
  });
});

describe("accuracy targets with confidence: ties between equally cheap thresholds go to the higher", () => {
  const specs: Specs = {
    economy: { kind: "baseline-match", confidence: 0.9 },
    balanced: { kind: "baseline-match", confidence: 0.9 },
    "baseline-match": { kind: "baseline-match", confidence: 0.9 },
  };

  it("among confident thresholds", () => {
    // 0 and 0.125 match the Oracle in every resample and cost the same (3); 0.375 only when c is not drawn (32%).
    const { presets, reports } = calibratePresets(rows, specs, { bootstrap: { resamples: 200, seed: 1 } });
    expect(presets).toEqual({ economy: 0.125, balanced: 0.125, "baseline-match": 0.125 });
    expect(reports["baseline-match"]).toMatchObject({ feasible: true, targetProbability: 1 });
  });

  it("an accuracy gap target: the cheapest confident threshold, not the lowest (which escalates the most)", () => {
    // Half the gap, per resample with draws wa..wd: at 0 and 0.125 the Oracle's accuracy, always met; at 0.375 and
    // 0.625 accuracy 1 - wc/4 against (1 + (wb + wd)/4) / 2, met iff wa >= wc (64% of resamples); at 1 iff wa = wc = 0.
    // baseline-match's spec escalates every query with P_fail > 0 (threshold 0), so balanced is not raised.
    const gap: Specs = {
      economy: { kind: "escalation-rate", target: 1 },
      balanced: { kind: "accuracy-gap", fraction: 0.5, confidence: 0.9 },
      "baseline-match": { kind: "escalation-rate", target: 1 },
    };
    const { presets, reports } = calibratePresets(rows, gap, { bootstrap: { resamples: 200, seed: 1 } });
    expect(presets).toEqual({ economy: 0.125, balanced: 0.125, "baseline-match": 0 });
    expect(reports.balanced).toMatchObject({ raisedForOrder: false, feasible: true, targetProbability: 1 });
  });

  it("when none is confident enough, among the thresholds where the target holds most often", () => {
    // With d wrong for the crowd too, 0 and 0.125 match the Oracle only when d is not drawn ((3/4)^4 = 32% of
    // resamples, the same resamples at both), 0.375 only when neither c nor d is ((1/2)^4 = 6%): none reaches 90%.
    const hard = rows.map((row) => ({ ...row, crowdCorrect: false }));
    hard[1] = rows[1];
    const { presets, reports } = calibratePresets(hard, specs, { bootstrap: { resamples: 200, seed: 1 } });
    expect(presets["baseline-match"]).toBe(0.125);
    expect(reports["baseline-match"].feasible).toBe(false);
    expect(reports["baseline-match"].targetProbability).toBeGreaterThan(0.15);
    expect(reports["baseline-match"].targetProbability).toBeLessThan(0.5);
  });
});

describe("risk-control specs: Learn-then-Test whatever their confidence, with the bootstrap's seed", () => {
  it("a confidence on a risk-control spec is ignored: the highest certified threshold, not the bootstrap's choice", () => {
    // Nine rows the crowd gets right: no harm anywhere, 0.75^9 = 0.075 <= 0.1 certifies delta 0.25 at every
    // threshold, so the highest, 1. The bootstrap's choice would be the lowest threshold holding the target, 0.
    const harmless = Array.from({ length: 9 }, (_, i) => query((i + 1) / 10, true));
    const guarantee = { kind: "risk-control", delta: 0.25, alpha: 0.1, confidence: 0.9 } as const;
    const specs: Specs = { economy: guarantee, balanced: guarantee, "baseline-match": guarantee };
    const { presets, reports } = calibratePresets(harmless, specs, { bootstrap: { resamples: 20, seed: 1 } });
    expect(presets).toEqual({ economy: 1, balanced: 1, "baseline-match": 1 });
    expect(reports.economy.feasible).toBe(true);
  });

  it("the betting test's order is seeded by the bootstrap's seed (1 without a bootstrap)", () => {
    // Forty rows, the crowd wrong on three; the betting test's p-values depend on the order of the rows.
    const graded = Array.from({ length: 40 }, (_, i) => ({ ...query((i + 0.5) / 40, ![36, 20, 8].includes(i)) }));
    const guarantee = { kind: "risk-control", delta: 0.1, alpha: 0.1, test: "betting" } as const;
    const specs: Specs = { economy: guarantee, balanced: guarantee, "baseline-match": guarantee };
    const direct = (seed: number) =>
      riskControlledThreshold(graded, candidateThresholds(graded), guarantee, seed).threshold;
    // Seeds 1 and 3 certify different thresholds here, so the seed used shows.
    expect(direct(1)).not.toBe(direct(3));
    for (const seed of [1, 3]) {
      const { presets } = calibratePresets(graded, specs, { bootstrap: { resamples: 10, seed } });
      expect(presets["baseline-match"]).toBe(direct(seed));
    }
    expect(calibratePresets(graded, specs, { bootstrap: false }).presets["baseline-match"]).toBe(direct(1));
  });
});

describe("preset specs and refusals", () => {
  it("a confidence without the bootstrap: the message names the preset", () => {
    const error = thrownBy(() => calibratePresets(rows, undefined, { bootstrap: false }));
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect((error as PyramidConfigError).message).toContain(
      "preset economy has a confidence but the bootstrap is off.",
    );
  });

  it("every risk-control test is accepted by name, an unknown one refused", () => {
    for (const test of ["binomial", "betting", "discordant", "combined", "trinomial", "weighted"]) {
      expect(presetSpecSchema.parse({ kind: "risk-control", delta: 0.02, alpha: 0.1, test })).toEqual({
        kind: "risk-control",
        delta: 0.02,
        alpha: 0.1,
        test,
      });
    }
    expect(presetSpecSchema.safeParse({ kind: "risk-control", delta: 0.02, alpha: 0.1, test: "" }).success).toBe(false);
  });

  it("each kind keeps its own fields and refuses another kind's", () => {
    expect(presetSpecSchema.parse({ kind: "cost-saving", target: 0.7, confidence: 0.9 })).toEqual({
      kind: "cost-saving",
      target: 0.7,
      confidence: 0.9,
    });
    expect(presetSpecSchema.parse({ kind: "escalation-rate", target: 0.3 })).toEqual({
      kind: "escalation-rate",
      target: 0.3,
    });
    expect(presetSpecSchema.parse({ kind: "accuracy-gap", fraction: 0.5 })).toEqual({
      kind: "accuracy-gap",
      fraction: 0.5,
    });
    expect(presetSpecSchema.parse({ kind: "baseline-match", confidence: 0.8 })).toEqual({
      kind: "baseline-match",
      confidence: 0.8,
    });
    expect(presetSpecSchema.safeParse({ kind: "cost-saving" }).success).toBe(false);
    expect(presetSpecSchema.safeParse({ kind: "escalation-rate", fraction: 0.5 }).success).toBe(false);
    expect(presetSpecSchema.safeParse({ kind: "accuracy-gap", target: 0.5 }).success).toBe(false);
    expect(presetSpecSchema.safeParse({ kind: "baseline-match", confidence: 0 }).success).toBe(false);
    expect(presetSpecSchema.safeParse({ kind: "risk-control", alpha: 0.1 }).success).toBe(false);
    expect(presetSpecSchema.safeParse({ kind: "other" }).success).toBe(false);
  });
});
