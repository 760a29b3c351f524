import { describe, expect, it } from "vitest";
import { calibratePresets, type GradedPrediction, PRESET_NAMES } from "../../src/index.js";
import {
  binomialCdf,
  clopperPearsonUpper,
  describeGuarantee,
  harmPValue,
  riskControlledThreshold,
  GUARANTEED_PRESET_SPECS,
} from "../../src/router/train/index.js";
import { harmAt, riskAt, synthetic } from "./synthetic_workload.js";

describe("the exact binomial statistics", () => {
  it("binomialCdf matches hand-computed tails", () => {
    expect(binomialCdf(0, 10, 0.1)).toBeCloseTo(0.9 ** 10, 12); // 0.3486784401
    expect(binomialCdf(1, 10, 0.1)).toBeCloseTo(0.9 ** 10 + 10 * 0.1 * 0.9 ** 9, 12); // 0.7360989291
    expect(binomialCdf(2, 4, 0.5)).toBeCloseTo((1 + 4 + 6) / 16, 12);
    expect(binomialCdf(-1, 4, 0.5)).toBe(0);
    expect(binomialCdf(4, 4, 0.5)).toBe(1);
    expect(binomialCdf(0, 4, 0)).toBe(1);
    expect(binomialCdf(3, 4, 1)).toBe(0);
    // Thousands of trials: no underflow of (1 - p)^n, and the normal approximation's neighbourhood.
    const tail = binomialCdf(9_800, 10_000, 0.99);
    expect(tail).toBeGreaterThan(0);
    expect(tail).toBeLessThan(1e-10);
    expect(binomialCdf(5_000, 10_000, 0.5)).toBeCloseTo(0.5 + 0.5 * 0.00798, 3);
  });

  it("clopperPearsonUpper inverts the tail; with no event it is 1 - alpha^(1/n)", () => {
    expect(clopperPearsonUpper(0, 10, 0.1)).toBeCloseTo(1 - 0.1 ** (1 / 10), 9); // 0.2056717653
    const upper = clopperPearsonUpper(3, 50, 0.05);
    expect(binomialCdf(3, 50, upper)).toBeCloseTo(0.05, 9);
    expect(clopperPearsonUpper(5, 5, 0.1)).toBe(1);
  });

  it("harmPValue is the binomial tail at delta: 230 rows without harm certify 1 point at 90%, 229 do not", () => {
    expect(harmPValue(0, 230, 0.01)).toBeCloseTo(0.99 ** 230, 12); // 0.0991
    expect(harmPValue(0, 229, 0.01)).toBeCloseTo(0.99 ** 229, 12); // 0.1001
    expect(harmPValue(0, 0, 0.01)).toBe(1);
  });
});

/** `n` rows where the crowd and the Oracle are both right: no query can be harmed. */
function harmless(n: number): GradedPrediction[] {
  return Array.from({ length: n }, (_, i) => ({
    pFail: (i + 0.5) / n,
    crowdCorrect: true,
    oracleCorrect: true,
    crowdCost: 0.3,
    oracleCost: 1,
    oracleOnlyCost: 1,
  }));
}

describe("Learn-then-Test with exact binomial tests", () => {
  it("certifies every threshold from 230 harmless rows and none from 229 (1 point, 90%)", () => {
    const thresholds = [0.25, 0.5, 1];
    const at230 = riskControlledThreshold(harmless(230), thresholds, { delta: 0.01, alpha: 0.1 }, 1);
    expect(at230).toMatchObject({ threshold: 1, certified: true, tested: 3 });
    expect(at230.pValue).toBeCloseTo(0.99 ** 230, 12);
    const at229 = riskControlledThreshold(harmless(229), thresholds, { delta: 0.01, alpha: 0.1 }, 1);
    expect(at229).toMatchObject({ threshold: 0, certified: false, pValue: 1, tested: 1 });
  });

  it("stops at the first threshold with too many harms (fixed sequence, most escalation first)", () => {
    // 300 rows; the 3 with the highest P_fail are harmed (Oracle right, crowd wrong). Binomial(300, 0.02):
    // P(<= 2) = 0.06018 <= 0.1, P(<= 3) = 0.14851 > 0.1 (sums of C(300, i) 0.02^i 0.98^(300 - i)), so the threshold keeping 2 harms passes and 3 does not.
    const rows = harmless(300).map((row, i) => (i >= 297 ? { ...row, crowdCorrect: false } : row));
    const keepTwo = (297 + 298 + 1) / 2 / 300; // between the 298th and 299th P_fail
    const keepThree = 1;
    expect(harmPValue(2, 300, 0.02)).toBeCloseTo(0.060184, 6);
    expect(harmPValue(3, 300, 0.02)).toBeCloseTo(0.14851, 5);
    const choice = riskControlledThreshold(rows, [0.5, keepTwo, keepThree], { delta: 0.02, alpha: 0.1 }, 1);
    expect(choice).toMatchObject({ threshold: keepTwo, certified: true, tested: 3 });
    // Counts, not an order: the seed (which orders the rows of the betting test) changes nothing.
    expect(riskControlledThreshold(rows, [0.5, keepTwo, keepThree], { delta: 0.02, alpha: 0.1 }, 7)).toEqual(choice);
  });

  it("states the test in the guarantee", () => {
    expect(describeGuarantee(GUARANTEED_PRESET_SPECS.balanced as { delta: number; alpha: number })).toMatch(
      /^accuracy at least the Oracle alone's minus 2\.0 points with probability at least 90% \(Learn-then-Test on the calibration rows: exact binomial tests, in a fixed sequence, that at most 2\.0% of queries are ones the Oracle answers right and the pyramid wrong/,
    );
    expect(describeGuarantee({ delta: 0.02, alpha: 0.1, test: "betting" })).toMatch(/fixed-sequence betting tests/);
  });
});

// The synthetic workload (synthetic_workload.ts): H(t) = 0.9 t^2 / 2 harmed, R(t) = H(t) - 0.1 (t - t^2 / 2) given up.

describe("the guaranteed presets' risk bound on a synthetic workload (calibratePresets, 400 draws of 400 rows)", () => {
  it("each preset harms more than its delta in at most alpha of the draws; choosing on the rows alone does not", () => {
    const draws = 400;
    const exceeded = { economy: 0, balanced: 0, "baseline-match": 0 };
    const riskExceeded = { economy: 0, balanced: 0, "baseline-match": 0 };
    let naiveExceeded = 0;
    for (let seed = 1; seed <= draws; seed++) {
      const rows = synthetic(400, seed);
      const { presets, reports } = calibratePresets(rows, GUARANTEED_PRESET_SPECS, { bootstrap: false });
      for (const name of PRESET_NAMES) {
        const { delta } = GUARANTEED_PRESET_SPECS[name] as { delta: number };
        expect(reports[name].guarantee).toContain(
          name === "baseline-match" ? "ordered by harms minus half the gains" : "exact binomial tests",
        );
        if (harmAt(Math.min(1, presets[name])) > delta) exceeded[name]++;
        if (riskAt(Math.min(1, presets[name])) > delta) riskExceeded[name]++;
      }
      // The naive choice: the highest threshold whose harm on the rows themselves is at most 1 point.
      const sorted = [...rows].sort((a, b) => a.pFail - b.pFail);
      let harms = 0;
      let naive = 0;
      for (const row of sorted) {
        if (row.oracleCorrect && !row.crowdCorrect) harms++;
        if (harms / rows.length > 0.01) break;
        naive = row.pFail;
      }
      if (harmAt(naive) > 0.01) naiveExceeded++;
    }
    // alpha = 0.1, plus two Monte Carlo standard errors of 400 draws (0.03): a broken test (the naive choice) fails
    // in about half of the draws.
    for (const name of PRESET_NAMES) {
      // The binomial test bounds the harm (hence the net loss); baseline-match's weighted test bounds the net loss only.
      if (name !== "baseline-match") {
        expect(exceeded[name] / draws, name).toBeLessThanOrEqual(0.13);
        expect(riskExceeded[name] / draws, name).toBeLessThanOrEqual(exceeded[name] / draws);
      }
      expect(riskExceeded[name] / draws, name).toBeLessThanOrEqual(0.13);
    }
    expect(naiveExceeded / draws).toBeGreaterThan(0.3);
  });
});
