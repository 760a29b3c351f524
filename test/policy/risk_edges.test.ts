import { describe, expect, it } from "vitest";
import type { GradedPrediction } from "../../src/policy/calibrate.js";
import {
  bettingPValue,
  binomialCdf,
  clopperPearsonUpper,
  harmPValue,
  riskControlledThreshold,
} from "../../src/policy/risk_control.js";

// Learn-then-Test's statistics in exact numbers (edges found by mutation testing, docs/testing.md). Expected values
// are the formulas of the doc comments worked out independently (binomial sums by hand, the betting wealth step by
// step in a separate script: K_i = prod(1 + lambda_j (delta - x_j)), lambda_j = min(sqrt(2 ln(1/alpha) / (n
// var_j)), 0.75 / (1 - delta)), var_j = (0.25 + sum_{i<j} (x_i - mean_{i-1})^2) / j).

describe("binomialCdf", () => {
  it("sums the binomial terms up to k", () => {
    expect(binomialCdf(1, 3, 0.5)).toBeCloseTo(0.5, 14);
    expect(binomialCdf(0, 2, 0.1)).toBeCloseTo(0.81, 14);
    expect(binomialCdf(2, 4, 0.25)).toBeCloseTo(0.94921875, 14);
    expect(binomialCdf(1.7, 4, 0.25)).toBeCloseTo(0.73828125, 14); // k rounded down
  });

  it("edges: k below 0 -> 0, k at or above n -> 1, p 0 -> 1, p 1 -> 0", () => {
    expect(binomialCdf(-1, 4, 0.5)).toBe(0);
    expect(binomialCdf(4, 4, 0.5)).toBe(1);
    expect(binomialCdf(5, 4, 0.5)).toBe(1);
    expect(binomialCdf(0, 4, 0)).toBe(1);
    expect(binomialCdf(3, 4, 1)).toBe(0);
  });

  it("stays exact for thousands of trials (no underflow)", () => {
    // P(X <= 0) for n = 2000, p = 0.001: 0.999^2000.
    expect(binomialCdf(0, 2000, 0.001)).toBeCloseTo(0.999 ** 2000, 12);
  });
});

describe("clopperPearsonUpper and harmPValue", () => {
  it("the upper bound: 1 - alpha^(1/n) with no event, sqrt(0.5) for 1 of 2 at 0.5, 1 when every trial is an event", () => {
    expect(clopperPearsonUpper(0, 10, 0.1)).toBeCloseTo(0.2056717652757185, 10);
    expect(clopperPearsonUpper(1, 2, 0.5)).toBeCloseTo(Math.SQRT1_2, 10);
    expect(clopperPearsonUpper(2, 2, 0.1)).toBe(1);
  });

  it("the harm p-value is the binomial tail at delta; 1 on no rows", () => {
    expect(harmPValue(1, 4, 0.25)).toBeCloseTo(0.73828125, 14);
    expect(harmPValue(0, 0, 0.25)).toBe(1);
  });
});

describe("bettingPValue", () => {
  it("matches the wealth process worked out step by step", () => {
    expect(bettingPValue([0, 0, -1, 0], 0.3, 0.8)).toBeCloseTo(0.23002360566129798, 12);
    expect(bettingPValue([-1, -1, 0, 1, -1], 0.1, 0.5)).toBeCloseTo(0.27841143740616564, 12);
  });

  it("is 1 when the wealth never grows", () => {
    expect(bettingPValue([1, -1, 0], 0.2, 0.9)).toBe(1);
    expect(bettingPValue([1, 1, 1], 0.05, 0.1)).toBe(1);
  });
});

describe("riskControlledThreshold with the binomial test", () => {
  const row = (pFail: number, crowdCorrect: boolean, oracleCorrect: boolean): GradedPrediction => ({
    pFail,
    crowdCorrect,
    oracleCorrect,
    crowdCost: 0,
    oracleCost: 1,
  });
  // 20 rows. Harms (Oracle right, crowd wrong) only at P_fail 0.85 and 0.9; a row both get wrong and one only the
  // Oracle gets wrong are no harm.
  const rows = [
    ...Array.from({ length: 16 }, (_, i) => row(0.05 + i * 0.03, true, true)),
    row(0.6, false, false),
    row(0.7, true, false),
    row(0.85, false, true),
    row(0.9, false, true),
  ];

  it("certifies thresholds while the harms keep the binomial tail at or below alpha, and stops at the first that does not", () => {
    // n = 20, delta 0.2: P(X <= 0) = 0.0115, P(X <= 1) = 0.0692 (the 0.85 row is kept at t = 0.85), P(X <= 2) = 0.206.
    const result = riskControlledThreshold(rows, [0, 0.6, 0.85, 1], { delta: 0.2, alpha: 0.1 }, 1);
    expect(result.threshold).toBe(0.85);
    expect(result.certified).toBe(true);
    expect(result.pValue).toBeCloseTo(0.0691752902764109, 12);
    expect(result.tested).toBe(4);
  });

  it("nothing certified: threshold 0, p-value 1, one threshold tested", () => {
    const result = riskControlledThreshold(rows, [0, 0.5], { delta: 0.2, alpha: 0.01 }, 1);
    expect(result).toEqual({ threshold: 0, certified: false, pValue: 1, tested: 1 });
  });

  it("the binomial test is the default, and does not depend on the seed", () => {
    const a = riskControlledThreshold(rows, [0, 0.6, 0.85, 1], { delta: 0.2, alpha: 0.1, test: "binomial" }, 1);
    const b = riskControlledThreshold(rows, [0, 0.6, 0.85, 1], { delta: 0.2, alpha: 0.1 }, 99);
    expect(b).toEqual(a);
  });
});

describe("riskControlledThreshold with the betting test", () => {
  const row = (pFail: number, crowdCorrect: boolean): GradedPrediction => ({
    pFail,
    crowdCorrect,
    oracleCorrect: true,
    crowdCost: 0,
    oracleCost: 1,
  });
  // 200 rows the crowd gets right, 40 at P_fail 0.95 it gets wrong: keeping those (t = 1) gives up 1/6 > delta.
  const rows = [
    ...Array.from({ length: 200 }, (_, i) => row(i / 250, true)),
    ...Array.from({ length: 40 }, () => row(0.95, false)),
  ];

  it("certifies the thresholds that keep only rows the crowd gets right, and stops at the one that keeps its errors", () => {
    const result = riskControlledThreshold(rows, [0, 0.5, 0.9, 1], { delta: 0.05, alpha: 0.1, test: "betting" }, 3);
    expect(result.threshold).toBe(0.9);
    expect(result.certified).toBe(true);
    expect(result.pValue).toBeLessThanOrEqual(0.1);
    expect(result.tested).toBe(4);
  });

  it("certifies nothing when even escalating everything but the lowest is too risky", () => {
    const bad = Array.from({ length: 50 }, () => row(0.5, false));
    expect(riskControlledThreshold(bad, [0.6, 1], { delta: 0.05, alpha: 0.1, test: "betting" }, 1)).toEqual({
      threshold: 0,
      certified: false,
      pValue: 1,
      tested: 1,
    });
  });
});
