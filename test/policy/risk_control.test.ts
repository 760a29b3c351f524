import { describe, expect, it } from "vitest";
import type { GradedPrediction } from "../../src/policy/calibrate.js";
import { calibratePresets, GUARANTEED_PRESET_SPECS } from "../../src/policy/presets.js";
import { bettingPValue, describeGuarantee, riskControlledThreshold } from "../../src/policy/risk_control.js";
import { seededRandom } from "../../src/utils/random.js";

/** Losses -1, 0, 1 with probabilities (down, 1 - down - up, up): mean up - down. */
function losses(n: number, up: number, down: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  return Float64Array.from({ length: n }, () => {
    const u = random();
    return u < up ? 1 : u < up + down ? -1 : 0;
  });
}

describe("the betting p-value", () => {
  it("rejects a risk well below delta and not one above it", () => {
    // All losses 0: the wealth grows by 1 + 0.75 x 0.01 / 0.99 a step once the bets reach their cap.
    expect(bettingPValue(new Float64Array(800), 0.01, 0.1)).toBeLessThan(0.01);
    expect(bettingPValue(losses(800, 0.05, 0, 3), 0.01, 0.1)).toBeGreaterThan(0.5);
    expect(bettingPValue(new Float64Array(0), 0.01, 0.1)).toBe(1);
  });

  it("rejects a true risk at delta in at most alpha of the draws (validity, 400 seeded draws)", () => {
    let rejected = 0;
    for (let seed = 1; seed <= 400; seed++) {
      // True mean 0.04 - 0.02 = 0.02 = delta: the null holds at its boundary.
      if (bettingPValue(losses(500, 0.04, 0.02, seed), 0.02, 0.1) <= 0.1) rejected++;
    }
    expect(rejected / 400).toBeLessThanOrEqual(0.1);
  });
});

/** A router that ranks crowd errors well: errors get P_fail 0.6-1.0, correct answers 0-0.7. */
function rows(n: number, seed: number): GradedPrediction[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const wrong = random() < 0.1;
    return {
      pFail: wrong ? 0.6 + 0.4 * random() : 0.7 * random(),
      crowdCorrect: !wrong,
      oracleCorrect: random() < 0.96,
      crowdCost: 0.3,
      oracleCost: 1,
      oracleOnlyCost: 1,
    };
  });
}

describe("Learn-then-Test presets", () => {
  it("certifies the highest threshold of a fixed sequence, which holds its guarantee on fresh queries", () => {
    const calibration = rows(1500, 1);
    const thresholds = Array.from({ length: 101 }, (_, i) => i / 100);
    const choice = riskControlledThreshold(calibration, thresholds, { delta: 0.01, alpha: 0.1 }, 1);
    expect(choice.certified).toBe(true);
    expect(choice.pValue).toBeLessThanOrEqual(0.1);
    // Above 0.7 only crowd errors remain to keep: the sequence stops before losing a point of accuracy.
    expect(choice.threshold).toBeGreaterThan(0.3);
    expect(choice.threshold).toBeLessThan(0.75);
    const fresh = rows(20_000, 2);
    const oracle = fresh.filter((r) => r.oracleCorrect).length / fresh.length;
    const correct =
      fresh.filter((r) => (r.pFail > choice.threshold ? r.oracleCorrect : r.crowdCorrect)).length / fresh.length;
    expect(correct).toBeGreaterThanOrEqual(oracle - 0.01);
  });

  it("falls back to escalating everything when nothing can be certified", () => {
    const choice = riskControlledThreshold(rows(30, 3), [0.1, 0.5], { delta: 0.001, alpha: 0.05 }, 1);
    expect(choice).toMatchObject({ threshold: 0, certified: false, pValue: 1 });
  });

  it("writes the guarantee next to each preset", () => {
    const result = calibratePresets(rows(1500, 4), GUARANTEED_PRESET_SPECS, { bootstrap: false });
    expect(result.presets.economy).toBeGreaterThanOrEqual(result.presets.balanced);
    expect(result.presets.balanced).toBeGreaterThanOrEqual(result.presets["baseline-match"]);
    expect(result.reports.balanced.guarantee).toBe(describeGuarantee({ delta: 0.02, alpha: 0.1 }));
    expect(result.reports.balanced.guarantee).toMatch(
      /^accuracy at least the Oracle alone's minus 2\.0 points with probability at least 90%/,
    );
  });
});
