import { describe, expect, it } from "vitest";
import { PyramidConfigError } from "../../src/errors/index.js";
import {
  MIN_PLATT_SLOPE,
  applyIsotonic,
  applyPFailCalibration,
  applyPlatt,
  fitIsotonic,
  fitPFailCalibration,
  fitPlatt,
  pFailCalibrationSchema,
  type PlattStep,
} from "../../src/router/calibration/index.js";
import { logitOf } from "../../src/router/calibration/platt.js";
import { normalQuantile, reliabilityReport, wilsonInterval } from "../../src/router/calibration/reliability.js";
import { thrownBy } from "../helpers/thrown.js";

// Exact values of the P_fail calibrations on hand-worked fixtures (the statistical behaviour is in
// pfail_calibration.test.ts): what a stored calibration maps a raw score to is what the presets are thresholds on.

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Platt's smoothed targets, worked out here independently: (N1 + 1) / (N1 + 2) for a 1, 1 / (N0 + 2) for a 0. */
function targets(labels: readonly number[]): number[] {
  const ones = labels.filter((l) => l === 1).length;
  const zeros = labels.length - ones;
  return labels.map((l) => (l === 1 ? (ones + 1) / (ones + 2) : 1 / (zeros + 2)));
}

describe("Platt scaling, exactly", () => {
  it("clips scores to [1e-7, 1 - 1e-7] before taking their log-odds", () => {
    expect(logitOf(0.5)).toBe(0);
    expect(logitOf(0.8)).toBeCloseTo(Math.log(4), 14);
    expect(logitOf(0)).toBeCloseTo(Math.log(1e-7 / (1 - 1e-7)), 12);
    expect(logitOf(-3)).toBe(logitOf(0));
    expect(logitOf(1)).toBeCloseTo(-Math.log(1e-7 / (1 - 1e-7)), 6);
    expect(logitOf(2)).toBe(logitOf(1));
  });

  it("applies sigmoid(a * logit(score) + b), stable at both ends, NaN kept", () => {
    expect(applyPlatt({ a: 2, b: -1 }, 0.5)).toBeCloseTo(sigmoid(-1), 15);
    expect(applyPlatt({ a: 2, b: -1 }, 0.8)).toBeCloseTo(sigmoid(2 * Math.log(4) - 1), 15);
    expect(applyPlatt({ a: 0.5, b: 0.25 }, 0.2)).toBeCloseTo(sigmoid(0.5 * Math.log(0.25) + 0.25), 15);
    // A steep map saturates without NaN (e^800 overflows: the sigmoid must take the branch that does not divide
    // infinities).
    expect(applyPlatt({ a: 100, b: 0 }, 1 - 1e-9)).toBe(1);
    expect(applyPlatt({ a: 100, b: 0 }, 1e-9)).toBeLessThan(1e-300);
    expect(applyPlatt({ a: 100, b: 0 }, 1e-9)).toBeGreaterThanOrEqual(0);
    expect(applyPlatt({ a: 1, b: 0 }, Number.NaN)).toBeNaN();
  });

  it("fits the log-loss optimum against the smoothed targets (gradient zero at the fit)", () => {
    const scores = [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.35, 0.65];
    const labels = [0, 0, 1, 0, 0, 1, 0, 1, 1, 1, 1, 0];
    const { a, b } = fitPlatt(scores, labels);
    const t = targets(labels);
    let gA = 0;
    let gB = 0;
    scores.forEach((s, i) => {
      const z = Math.log(s / (1 - s));
      const d = sigmoid(a * z + b) - t[i];
      gA += d * z;
      gB += d;
    });
    expect(Math.abs(gA)).toBeLessThan(1e-6);
    expect(Math.abs(gB)).toBeLessThan(1e-6);
    expect(a).toBeGreaterThan(0.5);
    // The optimum is unique (strictly convex loss): a second fit from reversed rows gives the same parameters.
    const again = fitPlatt([...scores].reverse(), [...labels].reverse());
    expect(again.a).toBeCloseTo(a, 6);
    expect(again.b).toBeCloseTo(b, 6);
  });

  it("reaches the optimum from far away: a steep distortion needs many Newton steps with step halving", () => {
    // Labels follow the score's log-odds scaled by 1/8: the fit must walk from a = 1 down to about 1/8.
    const scores: number[] = [];
    const labels: number[] = [];
    for (let k = 1; k < 40; k++) {
      const s = k / 40;
      scores.push(s, s);
      const p = sigmoid(Math.log(s / (1 - s)) / 8 + 0.3);
      labels.push(1, k % 10 < 10 * (1 - p) ? 0 : 1);
    }
    const { a, b } = fitPlatt(scores, labels);
    const t = targets(labels);
    let gA = 0;
    let gB = 0;
    scores.forEach((s, i) => {
      const z = Math.log(s / (1 - s));
      const d = sigmoid(a * z + b) - t[i];
      gA += d * z;
      gB += d;
    });
    expect(Math.abs(gA)).toBeLessThan(1e-6);
    expect(Math.abs(gB)).toBeLessThan(1e-6);
  });

  it("keeps the smallest slope and the smoothed base rate when the scores rank the errors backwards", () => {
    const labels = [1, 1, 1, 0];
    const fit = fitPlatt([0.1, 0.2, 0.3, 0.9], labels);
    expect(fit.a).toBe(MIN_PLATT_SLOPE);
    // Targets 4/5 (three times) and 1/3: mean (12/5 + 1/3) / 4 = 41/60.
    expect(fit.b).toBeCloseTo(Math.log(41 / 60 / (1 - 41 / 60)), 12);
  });
});

describe("Platt's Newton fit on two clusters of scores (optimum in closed form)", () => {
  // With two distinct scores the log-loss optimum fits each cluster's mean smoothed target exactly:
  // sigmoid(a * z1 + b) = t1 and sigmoid(a * z2 + b) = t2, so a = (logit t2 - logit t1) / (z2 - z1) and
  // b = logit t1 - a * z1. Scores 0 and 1 are clipped to log-odds -+16.1, where the start (a = 1, b = 0) saturates
  // the sigmoid: the Hessian is ~1e-7 and the first Newton step overshoots by five orders of magnitude, so the fit
  // only gets there through the line search's step halving.
  const logit = (p: number): number => Math.log(p / (1 - p));

  it("fits scores 0 and 1 (symmetric clusters): b = 0, a = logit(0.6) / 16.1", () => {
    // Three 1s and three 0s: targets 4/5 and 1/5; cluster means (4/5 + 2/5) / 3 = 0.4 and (8/5 + 1/5) / 3 = 0.6.
    const { a, b } = fitPlatt([0, 0, 0, 1, 1, 1], [1, 0, 0, 1, 1, 0]);
    const expectedA = (logit(0.6) - logit(0.4)) / (logitOf(1) - logitOf(0));
    expect(a).toBeCloseTo(expectedA, 9);
    expect(b).toBeCloseTo(logit(0.4) - expectedA * logitOf(0), 9);
    expect(b).toBeCloseTo(0, 9);
  });

  it("fits scores 0 and 0.9 (asymmetric clusters, a coupled intercept)", () => {
    // Four 1s and four 0s: targets 5/6 and 1/6; cluster means (5/6 + 3/6) / 4 = 1/3 and (15/6 + 1/6) / 4 = 2/3.
    const { a, b } = fitPlatt([0, 0, 0, 0, 0.9, 0.9, 0.9, 0.9], [1, 0, 0, 0, 1, 1, 1, 0]);
    const expectedA = (logit(2 / 3) - logit(1 / 3)) / (Math.log(9) - logitOf(0));
    expect(a).toBeCloseTo(expectedA, 9);
    expect(b).toBeCloseTo(logit(2 / 3) - expectedA * Math.log(9), 9);
  });

  it("takes at most maxIterations Newton steps: none leaves the identity map, one is not yet the optimum", () => {
    const scores = [0, 0, 0, 1, 1, 1];
    const labels = [1, 0, 0, 1, 1, 0];
    expect(fitPlatt(scores, labels, { maxIterations: 0 })).toEqual({ a: 1, b: 0 });
    // From a = 1 the first Newton step overshoots by orders of magnitude and is halved back until the loss falls: one step
    // moves a away from 1 but not to the optimum, about 0.025.
    const one = fitPlatt(scores, labels, { maxIterations: 1 });
    const optimum = (logit(0.6) - logit(0.4)) / (logitOf(1) - logitOf(0));
    expect(one.a).not.toBe(1);
    expect(Math.abs(one.a - optimum)).toBeGreaterThan(1e-3);
    expect(fitPlatt(scores, labels, { maxIterations: 100 }).a).toBeCloseTo(optimum, 9);
  });

  it("follows the documented path: each step lowers the log-loss, halved steps are the largest that do, stops on a tiny gain", () => {
    // The log-loss against the smoothed targets, written out here: sum of log(1 + e^m) - t m, m = a z + b.
    const lossAt = (scores: number[], labels: number[], a: number, b: number): number => {
      const t = targets(labels);
      return scores.reduce((sum, s, i) => {
        const m = a * logitOf(s) + b;
        return sum + Math.log(1 + Math.exp(m)) - t[i] * m;
      }, 0);
    };
    for (const [scores, labels] of [
      [
        [0, 0, 0, 1, 1, 1],
        [1, 0, 0, 1, 1, 0],
      ],
      [
        [0, 0, 0, 0, 0.9, 0.9, 0.9, 0.9],
        [1, 0, 0, 0, 1, 1, 1, 0],
      ],
    ]) {
      const steps: PlattStep[] = [];
      const fit = fitPlatt(scores, labels, { onStep: (step) => steps.push(step) });
      const last = steps[steps.length - 1];
      expect(fit).toEqual({ a: last.a, b: last.b });
      expect(steps.map((s) => s.iteration)).toEqual(steps.map((_, i) => i));
      // The saturated start: the first Newton step is cut to a power of two below 1.
      expect(steps[0].scale).toBeLessThan(1);
      expect(Number.isInteger(Math.log2(steps[0].scale))).toBe(true);
      let previous = { a: 1, b: 0, loss: lossAt(scores, labels, 1, 0) };
      steps.forEach((step, i) => {
        expect(step.loss).toBeCloseTo(lossAt(scores, labels, step.a, step.b), 12);
        expect(step.loss).toBeLessThanOrEqual(previous.loss);
        const gain = previous.loss - step.loss;
        const tiny = 1e-12 * Math.max(1, Math.abs(step.loss));
        // Every step but the last gains at least 1e-12 of the loss; the fit stops after the first that gains less.
        if (i < steps.length - 1) expect(gain).toBeGreaterThanOrEqual(tiny);
        else expect(gain).toBeLessThan(tiny);
        // A halved step that gained clearly: twice that step would have raised the loss.
        if (step.scale < 1 && gain > 1e-6) {
          const doubled = lossAt(scores, labels, 2 * step.a - previous.a, 2 * step.b - previous.b);
          expect(doubled).toBeGreaterThan(previous.loss);
        }
        previous = step;
      });
    }
  });

  it("keeps the identity map for scores already calibrated to the smoothed targets", () => {
    // Three 1s at 0.8 and three 0s at 0.2: targets 4/5 and 1/5, the scores themselves; the optimum is a = 1, b = 0.
    const { a, b } = fitPlatt([0.2, 0.2, 0.2, 0.8, 0.8, 0.8], [0, 0, 0, 1, 1, 1]);
    expect(a).toBeCloseTo(1, 12);
    expect(b).toBeCloseTo(0, 12);
  });

  it("stops before any step when the Hessian is not finite (a NaN score): the identity map, never NaN", () => {
    expect(fitPlatt([0.2, Number.NaN, 0.7], [0, 1, 1])).toEqual({ a: 1, b: 0 });
  });

  it("keeps a subnormal probability far in the lower tail (the sigmoid's e^z / (1 + e^z) branch)", () => {
    // z = -720: e^720 overflows, so 1 / (1 + e^-z) would give 0; e^z / (1 + e^z) = e^-720 (1 + e^-720 rounds to 1).
    expect(applyPlatt({ a: 1, b: -720 }, 0.5)).toBe(Math.exp(-720));
    expect(Math.exp(-720)).toBeGreaterThan(0);
  });
});

describe("isotonic calibration, exactly", () => {
  it("pools adjacent violators into blocks at their mean score and smoothed rate", () => {
    // Targets 3/4 for a 1 and 1/4 for a 0 (two of each). 0.2 (3/4) then 0.3 (1/4) violate the order: pooled at 0.25.
    expect(fitIsotonic([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1])).toEqual({ x: [0.1, 0.25, 0.4], y: [0.25, 0.5, 0.75] });
    // Given in any order: sorted by score first.
    expect(fitIsotonic([0.4, 0.3, 0.2, 0.1], [1, 0, 1, 0])).toEqual({ x: [0.1, 0.25, 0.4], y: [0.25, 0.5, 0.75] });
    // Equal values are pooled too (one knot, not two at the same height).
    const tied = fitIsotonic([0.1, 0.2, 0.7], [1, 1, 0]);
    expect(tied.x).toHaveLength(1);
    expect(tied.x[0]).toBeCloseTo(1 / 3, 15);
    // 2 x 3/4 + 1/3 over 3 rows.
    expect(tied.y[0]).toBeCloseTo((1.5 + 1 / 3) / 3, 15);
    // A violation that reaches back two blocks.
    const deep = fitIsotonic([0.1, 0.2, 0.3, 0.4, 0.5], [0, 1, 1, 0, 0]);
    // Targets: 1 -> 3/4, 0 -> 1/5. 0.2, 0.3 (3/4 each) then 0.4 (1/5): pooled (3/4 + 3/4 + 1/5) / 3 = 17/30;
    // then 0.5 (1/5) pools again: (3/2 + 2/5) / 4 = 19/40, still above the first block (1/5).
    expect(deep.x).toHaveLength(2);
    expect(deep.x[0]).toBe(0.1);
    expect(deep.x[1]).toBeCloseTo(0.35, 15);
    expect(deep.y[0]).toBeCloseTo(1 / 5, 15);
    expect(deep.y[1]).toBeCloseTo(19 / 40, 15);
  });

  it("pools equal values (one knot), comparing a pooled block by its mean", () => {
    // Targets 1/4 (0s: 1 / (2 + 2)) and 2/3 (the 1: 2/3). 0.1 and 0.2 both 1/4: tied, pooled into one knot.
    expect(fitIsotonic([0.1, 0.2, 0.7], [0, 0, 1])).toEqual({ x: [0.15000000000000002, 0.7], y: [0.25, 2 / 3] });
    expect(fitIsotonic([0.1, 0.2, 0.7], [0, 0, 1]).x[0]).toBeCloseTo(0.15, 15);
    // 0.1 (2/3) then the block of the two 0.3s (mean 1/4, sum 1/2): a violation, pooled into (2/3 + 1/2) / 3 = 7/18.
    const pooled = fitIsotonic([0.1, 0.3, 0.3], [1, 0, 0]);
    expect(pooled.x).toHaveLength(1);
    expect(pooled.x[0]).toBeCloseTo(0.7 / 3, 15);
    expect(pooled.y[0]).toBeCloseTo(7 / 18, 15);
  });

  it("gives exactly the knot's value at a knot, inside and at the last one", () => {
    // 0.3 + (0.9 - 0.3) is 0.9000000000000001 in floating point: at a knot the value is y[k] itself.
    expect(applyIsotonic({ x: [0.1, 0.5, 0.8], y: [0.3, 0.9, 0.95] }, 0.5)).toBe(0.9);
    expect(applyIsotonic({ x: [0.1, 0.5], y: [0.3, 0.9] }, 0.5)).toBe(0.9);
    expect(applyIsotonic({ x: [0.1, 0.5], y: [0.3, 0.9] }, 0.1)).toBe(0.3);
    expect(applyIsotonic({ x: [0.5], y: [0.2] }, Number.NaN)).toBeNaN();
  });

  it("interpolates between knots (binary search over many knots), flat outside, NaN kept", () => {
    const knots = { x: [0.1, 0.2, 0.4, 0.8, 0.9], y: [0.1, 0.3, 0.5, 0.9, 0.95] };
    expect(applyIsotonic(knots, 0.05)).toBe(0.1);
    expect(applyIsotonic(knots, 0.1)).toBe(0.1);
    expect(applyIsotonic(knots, 0.15)).toBeCloseTo(0.2, 15);
    expect(applyIsotonic(knots, 0.2)).toBeCloseTo(0.3, 15);
    expect(applyIsotonic(knots, 0.3)).toBeCloseTo(0.4, 15);
    expect(applyIsotonic(knots, 0.6)).toBeCloseTo(0.7, 15);
    expect(applyIsotonic(knots, 0.85)).toBeCloseTo(0.925, 15);
    expect(applyIsotonic(knots, 0.9)).toBe(0.95);
    expect(applyIsotonic(knots, 1)).toBe(0.95);
    expect(applyIsotonic(knots, Number.NaN)).toBeNaN();
    expect(applyIsotonic({ x: [0.5], y: [0.2] }, 0.7)).toBe(0.2);
  });
});

describe("stored P_fail calibrations", () => {
  it("fits each method on [0, 1] scores, with its provenance, and applies it", () => {
    const scores = [0, 0.2, 0.3, 1];
    const labels = [0, 1, 0, 1];
    const isotonic = fitPFailCalibration("isotonic", scores, labels, "validation split");
    expect(isotonic).toEqual({
      method: "isotonic",
      x: [0, 0.25, 1],
      y: [0.25, 0.5, 0.75],
      fittedOn: "validation split",
      rows: 4,
    });
    expect(applyPFailCalibration(isotonic, 0.625)).toBeCloseTo(0.625, 15);
    const platt = fitPFailCalibration("platt", scores, labels, "out-of-fold");
    expect(platt).toEqual({ method: "platt", ...fitPlatt(scores, labels), fittedOn: "out-of-fold", rows: 4 });
    if (platt.method !== "platt") throw new Error("expected Platt");
    expect(applyPFailCalibration(platt, 0.3)).toBeCloseTo(applyPlatt(platt, 0.3), 15);
  });

  it("refuses mismatched or empty inputs, labels other than 0/1 and scores outside [0, 1], naming the row", () => {
    const empty = thrownBy(() => fitPFailCalibration("isotonic", [], [], "x"));
    expect(empty).toBeInstanceOf(PyramidConfigError);
    expect(empty).toMatchObject({ field: "scores" });
    expect((empty as Error).message).toContain("got 0 and 0");
    expect(thrownBy(() => fitPFailCalibration("platt", [0.1, 0.2], [1], "x"))).toMatchObject({
      field: "scores",
      message: expect.stringContaining("got 2 and 1"),
    });
    expect(thrownBy(() => fitPFailCalibration("platt", [0.1, 0.2], [0, 2], "x"))).toMatchObject({
      field: "scores[1]",
      message: expect.stringContaining("row 1: expected a score in [0, 1] and a 0/1 label, got 0.2 and 2"),
    });
    expect(thrownBy(() => fitPFailCalibration("platt", [0.5, -0.1], [0, 1], "x"))).toMatchObject({
      field: "scores[1]",
    });
    expect(thrownBy(() => fitPFailCalibration("isotonic", [Number.NaN], [1], "x"))).toMatchObject({
      field: "scores[0]",
    });
    expect(thrownBy(() => fitPFailCalibration("isotonic", [0.5], [-1], "x"))).toMatchObject({ field: "scores[0]" });
  });

  it("validates stored maps: as many values as knots, x strictly increasing, y non-decreasing", () => {
    const base = { method: "isotonic", fittedOn: "x", rows: 3 };
    const issues = (value: unknown): { path: PropertyKey[]; message: string }[] => {
      const parsed = pFailCalibrationSchema.safeParse(value);
      return parsed.success ? [] : parsed.error.issues.map((i) => ({ path: i.path, message: i.message }));
    };
    expect(issues({ ...base, x: [0.1, 0.2], y: [0.1, 0.2, 0.3] })).toEqual([
      { path: ["y"], message: "2 knots x for 3 values y" },
    ]);
    expect(issues({ ...base, x: [0.1, 0.1, 0.3], y: [0.1, 0.2, 0.3] })).toEqual([
      { path: ["x", 1], message: "knots x must be strictly increasing" },
    ]);
    // Only the first fault is reported.
    expect(issues({ ...base, x: [0.1, 0.3, 0.2], y: [0.1, 0.05, 0.3] })).toEqual([
      { path: ["y", 1], message: "values y must be non-decreasing (a calibration keeps the ranking)" },
    ]);
    expect(issues({ ...base, x: [0.1, 0.2, 0.3], y: [0.1, 0.1, 0.3] })).toEqual([]);
    expect(issues({ ...base, x: [0.1], y: [1] })).toEqual([]);
    expect(issues({ ...base, x: [], y: [] }).length).toBeGreaterThan(0);
    expect(issues({ ...base, x: [0.1], y: [1.2] }).length).toBeGreaterThan(0);
    expect(issues({ ...base, x: [0.1], y: [0.1], rows: 0 }).length).toBeGreaterThan(0);
    expect(issues({ ...base, x: [0.1], y: [0.1], fittedOn: "" }).length).toBeGreaterThan(0);
    expect(issues({ ...base, x: [0.1], y: [0.1], extra: 1 }).length).toBeGreaterThan(0);
    expect(issues({ method: "platt", a: 0.5, b: -1, fittedOn: "x", rows: 3 })).toEqual([]);
    expect(issues({ method: "platt", a: 0, b: -1, fittedOn: "x", rows: 3 }).length).toBeGreaterThan(0);
    // The Platt map is not checked by the isotonic rules.
    expect(issues({ method: "platt", a: 1, b: 0, fittedOn: "x", rows: 3, x: [0.2, 0.1] }).length).toBeGreaterThan(0);
  });
});

describe("reliability tables, exactly", () => {
  it("takes normal quantiles to 1e-9 (Acklam), in the tails and the centre", () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.9599639845400536, 8);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536269514715, 8);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080407, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.3263478740408408, 8);
    expect(normalQuantile(0.99)).toBeCloseTo(2.3263478740408408, 8);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 8);
    expect(normalQuantile(0.02425)).toBeCloseTo(-1.9729610513118845, 8);
    expect(normalQuantile(1 - 0.02425)).toBeCloseTo(1.9729610513118845, 8);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(-1)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
  });

  it("gives Wilson score intervals, clipped to [0, 1], NaN for no rows", () => {
    const [lo0, hi0] = wilsonInterval(0, 10, 0.95);
    expect(lo0).toBeCloseTo(0, 12);
    expect(lo0).toBeGreaterThanOrEqual(0);
    expect(hi0).toBeCloseTo(0.27753279986288915, 8);
    const [lo, hi] = wilsonInterval(3, 4, 0.9);
    expect(lo).toBeCloseTo(0.3561680085985065, 8);
    expect(hi).toBeCloseTo(0.9420926788001412, 8);
    const [lo10, hi10] = wilsonInterval(10, 10, 0.95);
    expect(lo10).toBeCloseTo(0.7224672001371109, 8);
    expect(hi10).toBeLessThanOrEqual(1);
    expect(hi10).toBeCloseTo(1, 12);
    expect(wilsonInterval(0, 0, 0.9)).toEqual([Number.NaN, Number.NaN]);
  });

  it("bins equal-width with the right edge in the last bin, clips predictions, drops NaN", () => {
    const report = reliabilityReport([0, 0.1, 0.45, 1, 1.5, -0.5, Number.NaN], [1, 0, true, false, 1, 2, 1], {
      bins: 4.7,
    });
    expect(report.count).toBe(6);
    expect(report.binning).toBe("equal-width");
    expect(report.level).toBe(0.9);
    expect(report.bins.map((b) => [b.lower, b.upper, b.count])).toEqual([
      [0, 0.25, 3],
      [0.25, 0.5, 1],
      [0.5, 0.75, 0],
      [0.75, 1, 2],
    ]);
    // Rows: (0, 1), (0.1, 0), (0.45, 1), (1, 0), (1 clipped, 1), (0 clipped, 0: label 2 is not 1).
    expect(report.bins[0].meanPredicted).toBeCloseTo(0.1 / 3, 15);
    expect(report.bins[0].observedRate).toBeCloseTo(1 / 3, 15);
    expect(report.bins[1]).toMatchObject({ meanPredicted: 0.45, observedRate: 1 });
    expect(report.bins[2].meanPredicted).toBeNaN();
    expect(report.bins[2].observedRate).toBeNaN();
    expect(report.bins[2].observedLower).toBeNaN();
    expect(report.bins[3]).toMatchObject({ meanPredicted: 1, observedRate: 0.5 });
    const [lower, upper] = wilsonInterval(1, 3, 0.9);
    expect(report.bins[0]).toMatchObject({ observedLower: lower, observedUpper: upper });
    // ECE: 3/6 * |0.1/3 - 1/3| + 1/6 * |0.45 - 1| + 2/6 * |1 - 0.5|.
    expect(report.ece).toBeCloseTo(0.5 * 0.3 + 0.55 / 6 + 1 / 6, 12);
    expect(report.mce).toBeCloseTo(0.55, 12);
    // Brier: (1 + 0.01 + 0.3025 + 1 + 0 + 0) / 6.
    expect(report.brier).toBeCloseTo(2.3125 / 6, 12);
    expect(report.meanPredicted).toBeCloseTo(2.55 / 6, 12);
    expect(report.observedRate).toBeCloseTo(3 / 6, 12);
  });

  it("makes equal-mass bins from the sorted predictions, keeping ties together, at the requested level", () => {
    const report = reliabilityReport([0.9, 0.1, 0.2, 0.2, 0.2, 0.5, 0.7, 0.3], [1, 0, 0, 1, 0, 1, 1, 0], {
      binning: "equal-mass",
      bins: 4,
      level: 0.95,
    });
    expect(report.level).toBe(0.95);
    // Sorted: 0.1 0.2 0.2 0.2 | 0.3 | 0.5 | 0.7 0.9: the first bin takes the tie at 0.2 past its 2 rows, the next
    // ones then take at least one row each, up to their share of the rows (rounded).
    expect(report.bins.map((b) => [b.lower, b.upper, b.count])).toEqual([
      [0.1, 0.2, 4],
      [0.3, 0.3, 1],
      [0.5, 0.5, 1],
      [0.7, 0.9, 2],
    ]);
    const [lower, upper] = wilsonInterval(1, 4, 0.95);
    expect(report.bins[0]).toMatchObject({ observedRate: 0.25, observedLower: lower, observedUpper: upper });
    // One bin per row when asked for more bins than rows.
    expect(reliabilityReport([0.3, 0.1], [0, 1], { binning: "equal-mass", bins: 5 }).bins.map((b) => b.count)).toEqual([
      1, 1,
    ]);
  });

  it("reports NaN figures for no predictions, and one bin at least", () => {
    const empty = reliabilityReport([Number.NaN], [1]);
    expect(empty.count).toBe(0);
    expect(empty.bins).toHaveLength(10);
    for (const key of ["ece", "mce", "brier", "meanPredicted", "observedRate"] as const) expect(empty[key]).toBeNaN();
    expect(reliabilityReport([0.2, 0.8], [0, 1], { bins: 0 }).bins).toHaveLength(1);
    expect(reliabilityReport([], [], { binning: "equal-mass" }).bins).toEqual([]);
  });
});
