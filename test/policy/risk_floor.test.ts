import { describe, expect, it } from "vitest";
import { calibratePresets, type GradedPrediction, PRESET_NAMES } from "../../src/index.js";
import {
  CERTIFIABLE_DELTA_STEP,
  certifiableDelta,
  describeGuarantee,
  GUARANTEED_PRESET_SPECS,
  guaranteedDelta,
  harmPValue,
  noLossPValue,
  trinomialPValue,
} from "../../src/router/train/index.js";
import { seededRandom } from "../../src/utils/random.js";
import { riskAt, synthetic } from "./synthetic_workload.js";

const up = (x: number): number => Math.ceil(x / CERTIFIABLE_DELTA_STEP - 1e-9) * CERTIFIABLE_DELTA_STEP;

describe("certifiableDelta: the smallest loss n rows with no harm and no gain certify at alpha", () => {
  it("binomial test of the harm: 1 - alpha^(1/n), rounded up to 0.0001", () => {
    // 209 rows, alpha 0.1: 1 - 0.1^(1/209) = 0.010957 -> 0.0110; 0.989^209 = 0.0992 <= 0.1 < 0.9891^209 = 0.1013.
    expect(1 - 0.1 ** (1 / 209)).toBeCloseTo(0.010957, 6);
    expect(certifiableDelta("binomial", 209, 0.1)).toBeCloseTo(0.011, 12);
    expect(0.989 ** 209).toBeLessThanOrEqual(0.1);
    expect(0.9891 ** 209).toBeGreaterThan(0.1);
    expect(harmPValue(0, 209, 0.011)).toBeCloseTo(0.989 ** 209, 12);
    // 230 rows certify 1 point (0.99^230 = 0.0991), 229 do not: the widened delta is 1 - 0.1^(1/n) rounded up.
    for (const n of [50, 100, 229, 230, 663])
      expect(certifiableDelta("binomial", n, 0.1)).toBeCloseTo(up(1 - 0.1 ** (1 / n)), 12);
  });

  it("discordant test: the Clopper-Pearson bound of no discordant row at gamma = alpha / 4, 1 - 0.025^(1/n)", () => {
    // 209 rows: 1 - 0.025^(1/209) = 0.017496 -> 0.0175 (below it the conditional tail of 0 rows is 1).
    expect(certifiableDelta("discordant", 209, 0.1)).toBeCloseTo(up(1 - 0.025 ** (1 / 209)), 12);
    expect(certifiableDelta("discordant", 209, 0.1)).toBeCloseTo(0.0175, 12);
  });

  it("weighted test: at least 1 - (alpha - gamma)^(1/n), with its no-loss p-value at most alpha there and above just below", () => {
    // p(no loss) >= gamma + P(no harm) = 0.025 + (1 - delta)^209, so delta_n >= 1 - 0.075^(1/209) = 0.012317.
    const delta = certifiableDelta("weighted", 209, 0.1);
    expect(1 - 0.075 ** (1 / 209)).toBeCloseTo(0.012317, 6);
    expect(delta).toBeGreaterThanOrEqual(0.0124 - 1e-12);
    expect(delta).toBeCloseTo(0.0124, 12);
    // At 0.0124: 0.025 + 0.9876^209 = 0.025 + 0.07373 (plus harm-and-two-gains terms below 0.0003).
    const p = noLossPValue("weighted", 209, 0.0124, 0.1);
    expect(p).toBe(trinomialPValue(0, 0, 209, 0.0124, 0.025, 0.5));
    expect(p).toBeGreaterThanOrEqual(0.025 + 0.9876 ** 209);
    expect(p).toBeLessThan(0.025 + 0.9876 ** 209 + 3e-4);
    expect(p).toBeLessThanOrEqual(0.1);
    expect(noLossPValue("weighted", 209, 0.0123, 0.1)).toBeGreaterThan(0.1);
    // The no-loss p-value falls as delta grows (what the bisection relies on), for every test.
    for (const test of ["binomial", "betting", "trinomial", "weighted", "discordant", "combined"] as const) {
      let previous = 1;
      for (let d = 0.005; d <= 0.04; d += 0.0005) {
        const q = noLossPValue(test, 209, d, 0.1);
        expect(q, `${test} at ${d}`).toBeLessThanOrEqual(previous + 1e-12);
        previous = q;
      }
    }
  });

  it("combined: the harm test at alpha / 2, 1 - 0.05^(1/n); trinomial above weighted (its tail counts H - G <= 0)", () => {
    expect(certifiableDelta("combined", 209, 0.1)).toBe(up(1 - 0.05 ** (1 / 209)));
    expect(certifiableDelta("combined", 209, 0.1)).toBe(0.0143);
    expect(certifiableDelta("trinomial", 209, 0.1)).toBe(0.0146);
    expect(certifiableDelta("betting", 209, 0.1)).toBe(0.0147);
  });

  it("n = 0 or nothing below 1 certifiable: 1", () => {
    expect(certifiableDelta("binomial", 0, 0.1)).toBe(1);
    // One row at alpha 1e-5: even delta 0.9999 leaves (1 - 0.9999) = 1e-4 > 1e-5.
    expect(certifiableDelta("binomial", 1, 1e-5)).toBe(1);
    // One row: (1 - delta) <= 0.1 needs delta >= 0.9; the weighted test spends gamma and needs more.
    expect(certifiableDelta("binomial", 1, 0.1)).toBeCloseTo(0.9, 12);
    expect(certifiableDelta("binomial", 1, 0.1, 0.95)).toBeCloseTo(0.95, 12);
  });
});

describe("guaranteedDelta: the delta a guarantee is tested and stated at", () => {
  it("widens only when asked and only when n rows cannot certify the spec's delta", () => {
    const spec = { delta: 0.01, alpha: 0.1, test: "weighted" as const, widenToCertifiable: true };
    expect(guaranteedDelta(spec, 209)).toBeCloseTo(0.0124, 12);
    expect(guaranteedDelta({ ...spec, widenToCertifiable: false }, 209)).toBe(0.01);
    expect(guaranteedDelta(spec, 663)).toBe(0.01); // 663 rows certify 1 point
    expect(guaranteedDelta(spec, 0)).toBe(0.01);
    expect(guaranteedDelta({ ...spec, test: "binomial" }, 209)).toBeCloseTo(0.011, 12);
    expect(guaranteedDelta({ ...spec, delta: 0.02, test: "binomial" }, 209)).toBe(0.02);
    // No test named: the binomial test's 1 - 0.1^(1/209), rounded up.
    expect(guaranteedDelta({ delta: 0.01, alpha: 0.1, widenToCertifiable: true }, 209)).toBe(0.011);
    // A certifiable delta off the 0.0001 grid is kept as it is.
    expect(guaranteedDelta({ ...spec, delta: 0.012345 }, 663)).toBe(0.012345);
    // The shipped specs all widen.
    for (const name of PRESET_NAMES)
      expect((GUARANTEED_PRESET_SPECS[name] as { widenToCertifiable?: boolean }).widenToCertifiable, name).toBe(true);
  });
});

// The shared synthetic workload (synthetic_workload.ts): net loss R(t) = 0.5 t^2 - 0.1 t of keeping P_fail <= t.

describe("the widened guarantee on a synthetic workload (calibratePresets, 400 draws of 209 rows)", () => {
  it("baseline-match-guaranteed saves and its net loss exceeds the stated delta in at most alpha of the draws", () => {
    const draws = 400;
    const exceeded = { economy: 0, balanced: 0, "baseline-match": 0 };
    let kept = 0;
    const unwidened = Object.fromEntries(
      PRESET_NAMES.map((name) => [name, { ...GUARANTEED_PRESET_SPECS[name], widenToCertifiable: false }]),
    ) as typeof GUARANTEED_PRESET_SPECS;
    for (let seed = 1; seed <= draws; seed++) {
      const rows = synthetic(209, 5000 + seed);
      const { presets, reports } = calibratePresets(rows, GUARANTEED_PRESET_SPECS, { bootstrap: false });
      // The stated delta: 1 point widened to 1.24 for the weighted test; 2 and 3 points kept (209 rows certify 1.10).
      expect(reports["baseline-match"].delta).toBe(0.0124);
      expect(reports.balanced.delta).toBe(0.02);
      expect(reports.economy.delta).toBe(0.03);
      expect(reports["baseline-match"].guarantee).toBe(
        describeGuarantee({ delta: 0.0124, alpha: 0.1, test: "weighted" }),
      );
      expect(reports["baseline-match"].guarantee).toContain("minus 1.24 points");
      for (const name of PRESET_NAMES)
        if (riskAt(Math.min(1, presets[name])) > (reports[name].delta ?? 0)) exceeded[name]++;
      kept += Math.min(1, presets["baseline-match"]);
      // At 1 point itself no test certifies anything from 209 rows: the preset escalates every query.
      if (seed <= 20) expect(calibratePresets(rows, unwidened, { bootstrap: false }).presets["baseline-match"]).toBe(0);
    }
    // alpha = 0.1 plus two Monte Carlo standard errors of 400 draws (0.03).
    for (const name of PRESET_NAMES) expect(exceeded[name] / draws, name).toBeLessThanOrEqual(0.13);
    // The widened preset keeps queries at the crowd: R(t) <= 0.0124 up to t = 0.286; it keeps a fair share of that.
    expect(kept / draws).toBeGreaterThan(0.1);
  });
});

describe("a preset raised to a costlier preset's threshold states the larger delta", () => {
  it("100 rows: balanced (binomial, 2 points widened to 2.28) raised to baseline-match's threshold (weighted, 2.56) states 2.56", () => {
    expect(certifiableDelta("binomial", 100, 0.1)).toBeCloseTo(0.0228, 12);
    expect(certifiableDelta("weighted", 100, 0.1)).toBeCloseTo(0.0256, 12);
    let raised = 0;
    let own = 0;
    for (let seed = 1; seed <= 40; seed++) {
      const random = seededRandom(seed);
      const rows: GradedPrediction[] = Array.from({ length: 100 }, () => {
        const pFail = random() ** 3;
        return {
          pFail,
          crowdCorrect: random() >= pFail,
          oracleCorrect: random() >= 0.1,
          crowdCost: 0.2,
          oracleCost: 1,
          oracleOnlyCost: 1,
        };
      });
      const { presets, reports } = calibratePresets(rows, GUARANTEED_PRESET_SPECS, { bootstrap: false });
      expect(reports["baseline-match"].delta).toBeCloseTo(0.0256, 12);
      expect(reports.economy.delta).toBe(0.03); // 3 points >= 2.56: its own delta even when raised
      if (reports.balanced.raisedForOrder) {
        raised++;
        expect(presets.balanced).toBe(presets["baseline-match"]);
        expect(reports.balanced.delta).toBeCloseTo(0.0256, 12);
        expect(reports.balanced.guarantee).toContain("minus 2.56 points");
        // A raised preset is feasible when its accuracy is within its stated delta of the Oracle's on the rows.
        const oracle = rows.filter((row) => row.oracleCorrect).length / rows.length;
        expect(reports.balanced.feasible).toBe(reports.balanced.accuracy >= oracle - 0.0256 - 1e-12);
      } else {
        own++;
        expect(reports.balanced.delta).toBeCloseTo(0.0228, 12);
      }
    }
    expect(raised).toBeGreaterThan(0);
    expect(own).toBeGreaterThan(0);
  });
});
