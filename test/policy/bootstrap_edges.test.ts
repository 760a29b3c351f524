import { describe, expect, it } from "vitest";
import { bootstrapProfile } from "../../src/policy/bootstrap.js";
import type { GradedPrediction } from "../../src/policy/calibrate.js";

// Edges of the bootstrap profile found by mutation testing (docs/testing.md): the escalation rule at a tie, the
// crowd's cost per draw, and a resample in which the Oracle alone costs nothing. The resamples are seeded; each test
// checks a property of every resample (worked out from the resample's draw, read off its crowd accuracy) and that the
// draws it relies on occur.

const query = (pFail: number, crowdCorrect: boolean, oracleCorrect: boolean, crowdCost: number, oracleCost: number) =>
  ({ pFail, crowdCorrect, oracleCorrect, crowdCost, oracleCost }) satisfies GradedPrediction;

describe("the bootstrap escalates iff P_fail > threshold", () => {
  it("a query exactly at a threshold stays with the crowd", () => {
    // One query: every resample draws it once. Escalated at 0 (0.5 > 0): right, cost 1 + 10 against the Oracle
    // alone's 10, saving -0.1; at 0.5 and 1 not escalated: wrong, cost 1, saving 0.9.
    const profile = bootstrapProfile([query(0.5, false, true, 1, 10)], [0, 0.5, 1], { resamples: 10, seed: 3 });
    for (let b = 0; b < 10; b++) {
      expect([...profile.escalationRate.slice(3 * b, 3 * b + 3)]).toEqual([1, 0, 0]);
      expect([...profile.accuracy.slice(3 * b, 3 * b + 3)]).toEqual([1, 0, 0]);
      expect(profile.costSaving[3 * b]).toBeCloseTo(-0.1, 12);
      expect(profile.costSaving[3 * b + 1]).toBeCloseTo(0.9, 12);
      expect(profile.costSaving[3 * b + 2]).toBeCloseTo(0.9, 12);
    }
  });

  it("a query with P_fail 0 is not escalated even at threshold 0", () => {
    const profile = bootstrapProfile([query(0, false, true, 1, 10)], [0], { resamples: 10, seed: 3 });
    expect([...profile.escalationRate]).toEqual(Array(10).fill(0));
    expect([...profile.accuracy]).toEqual(Array(10).fill(0));
  });
});

describe("the bootstrap's costs per resample", () => {
  it("the crowd's cost counts once per draw of a query (draws x crowdCost)", () => {
    // A (crowd right, crowd cost 2) drawn wA times of 2, B (crowd wrong, crowd cost 4) 2 - wA times: the crowd's
    // accuracy is wA / 2. The Oracle alone costs 10 per draw, 20 in all. Nothing escalated (threshold 1): the crowd
    // costs 2 wA + 4 (2 - wA) = 8 - 2 wA, saving 1 - (8 - 2 wA) / 20 (0.6, 0.7, 0.8 for wA = 0, 1, 2). Everything
    // escalated (threshold 0): 20 more, saving 1 - (28 - 2 wA) / 20 (-0.4, -0.3, -0.2).
    const rows = [query(0.9, true, true, 2, 10), query(0.1, false, true, 4, 10)];
    const profile = bootstrapProfile(rows, [0, 1], { resamples: 200, seed: 2 });
    for (let b = 0; b < 200; b++) {
      const wA = 2 * profile.crowdAccuracy[b];
      expect(profile.costSaving[2 * b]).toBeCloseTo(1 - (28 - 2 * wA) / 20, 12);
      expect(profile.costSaving[2 * b + 1]).toBeCloseTo(1 - (8 - 2 * wA) / 20, 12);
    }
    // The three draws (wA = 0, 1, 2) all occur in the 200 seeded resamples.
    expect(new Set(profile.crowdAccuracy)).toEqual(new Set([0, 0.5, 1]));
  });

  it("a resample in which the Oracle alone costs nothing has no saving (NaN), not -Infinity", () => {
    // A's Oracle call is free (say a cached answer), B's costs 10; each has crowd cost 1. With B drawn wB times of 2
    // (the crowd is right on B only: accuracy wB / 2) the Oracle alone costs 10 wB and the pyramid 2 at both thresholds
    // (escalating A adds 0): saving 1 - 2 / (10 wB), i.e. 0.8 or 0.9, and NaN when only A is drawn (wB = 0).
    const rows = [query(0.9, false, true, 1, 0), query(0.1, true, true, 1, 10)];
    const profile = bootstrapProfile(rows, [0.5, 1], { resamples: 200, seed: 5 });
    let free = 0;
    for (let b = 0; b < 200; b++) {
      const wB = 2 * profile.crowdAccuracy[b];
      for (const j of [0, 1]) {
        if (wB === 0) expect(profile.costSaving[2 * b + j]).toBeNaN();
        else expect(profile.costSaving[2 * b + j]).toBeCloseTo(1 - 2 / (10 * wB), 12);
      }
      if (wB === 0) free++;
    }
    // About a quarter of the resamples draw A twice; the seeded run has some of each kind.
    expect(free).toBeGreaterThan(0);
    expect(new Set(profile.crowdAccuracy)).toEqual(new Set([0, 0.5, 1]));
  });
});
