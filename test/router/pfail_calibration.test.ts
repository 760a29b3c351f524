import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPFailCalibration, pFailCalibrationSchema, PyramidConfigError } from "../../src/index.js";
import { fitPFailCalibration, reliabilityReport } from "../../src/router/train/index.js";
import { rocAuc } from "../../src/router/train/metrics.js";
import { seededRandom } from "../../src/utils/random.js";
import { thrownBy } from "../helpers/thrown.js";

const logit = (p: number): number => Math.log(p / (1 - p));
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * Synthetic miscalibrated scores: the true probability of a crowd error is `p`, the label is drawn from it, and the
 * router reports `distort(p)`, which ranks like `p` but is not a probability of the error.
 */
function synthetic(n: number, seed: number, distort: (p: number) => number): { scores: number[]; labels: number[] } {
  const random = seededRandom(seed);
  const scores: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = 0.02 + 0.96 * random();
    labels.push(random() < p ? 1 : 0);
    scores.push(distort(p));
  }
  return { scores, labels };
}

const DISTORTIONS: Record<string, (p: number) => number> = {
  "overconfident (log-odds x 3, shifted)": (p) => sigmoid(3 * logit(p) - 1),
  "underconfident (squeezed to 0.4-0.6)": (p) => 0.4 + 0.2 * p,
  "skewed (p cubed)": (p) => p ** 3,
};

describe("P_fail calibration", () => {
  for (const method of ["isotonic", "platt"] as const) {
    for (const [name, distort] of Object.entries(DISTORTIONS)) {
      it(`${method} reduces the ECE of ${name} scores on rows it was not fitted on, keeping the ranking`, () => {
        const fit = synthetic(3000, 1, distort);
        const test = synthetic(3000, 2, distort);
        const calibration = fitPFailCalibration(method, fit.scores, fit.labels, "synthetic");
        expect(pFailCalibrationSchema.parse(JSON.parse(JSON.stringify(calibration)))).toEqual(calibration);
        const calibrated = test.scores.map((s) => applyPFailCalibration(calibration, s));
        const before = reliabilityReport(test.scores, test.labels).ece;
        const after = reliabilityReport(calibrated, test.labels).ece;
        expect(before).toBeGreaterThan(0.08);
        // Platt cannot undo a distortion that is not linear in the log-odds: only the fitting ones are held to 0.03.
        const exact = method === "isotonic" || name.startsWith("overconfident");
        expect(after).toBeLessThan(exact ? 0.03 : before / 2);
        // Monotone: the ranking is kept, so the AUC is too (up to ties in the flat ends of an isotonic map).
        const order = test.scores.map((_, i) => i).sort((a, b) => test.scores[a] - test.scores[b]);
        for (let k = 1; k < order.length; k++)
          expect(calibrated[order[k]]).toBeGreaterThanOrEqual(calibrated[order[k - 1]]);
        expect(Math.abs(rocAuc(calibrated, test.labels) - rocAuc(test.scores, test.labels))).toBeLessThan(0.005);
      });
    }
  }

  it("Platt scaling recovers a log-odds distortion", () => {
    const { scores, labels } = synthetic(20000, 3, (p) => sigmoid(2 * logit(p) + 1));
    const calibration = fitPFailCalibration("platt", scores, labels, "synthetic");
    if (calibration.method !== "platt") throw new Error("expected Platt");
    expect(calibration.a).toBeCloseTo(0.5, 1);
    expect(calibration.b).toBeCloseTo(-0.5, 1);
  });

  it("isotonic calibration is non-decreasing, strictly increasing between its knots, and never 0 or 1", () => {
    fc.assert(
      fc.property(
        // Scores on a grid of 1/1000 (a router's outputs; subnormal gaps would only test float rounding).
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000),
            fc.boolean(),
          ),
          { minLength: 1, maxLength: 80 },
        ),
        fc.array(
          fc.integer({ min: 0, max: 1000 }).map((k) => k / 1000),
          { minLength: 2, maxLength: 20 },
        ),
        (rows, probes) => {
          const calibration = fitPFailCalibration(
            "isotonic",
            rows.map((r) => r[0]),
            rows.map((r) => (r[1] ? 1 : 0)),
            "property",
          );
          if (calibration.method !== "isotonic") return false;
          const sorted = [...probes].sort((a, b) => a - b);
          const values = sorted.map((p) => applyPFailCalibration(calibration, p));
          for (let k = 1; k < values.length; k++) {
            if (values[k] < values[k - 1]) return false;
            const inside = sorted[k - 1] >= calibration.x[0] && sorted[k] <= calibration.x[calibration.x.length - 1];
            if (inside && sorted[k] > sorted[k - 1] && !(values[k] > values[k - 1])) return false;
          }
          return values.every((v) => v > 0 && v < 1) && pFailCalibrationSchema.safeParse(calibration).success;
        },
      ),
    );
  });

  it("gives equal scores one value and a block without errors a small, non-zero P_fail", () => {
    const calibration = fitPFailCalibration("isotonic", [0.1, 0.1, 0.2, 0.2, 0.9, 0.9], [0, 0, 0, 0, 1, 1], "tiny");
    // The four rows at 0.1 and 0.2 (all without errors) pool into one block, one knot at their mean score 0.15;
    // the two errors at 0.9 make the second knot.
    if (calibration.method !== "isotonic") throw new Error("expected isotonic");
    expect(calibration.x).toHaveLength(2);
    expect(calibration.x[0]).toBeCloseTo(0.15, 12);
    expect(calibration.x[1]).toBe(0.9);
    expect(applyPFailCalibration(calibration, 0.1)).toBeCloseTo(1 / 6, 12); // below the first knot: its value
    // Between the knots: linear, 1/6 + (0.2 - 0.15) / (0.9 - 0.15) * (3/4 - 1/6) = 1/6 + 7/180 = 37/180.
    expect(applyPFailCalibration(calibration, 0.2)).toBeCloseTo(37 / 180, 12);
    expect(applyPFailCalibration(calibration, 0.05)).toBeCloseTo(1 / 6, 12); // (1 / (N0 + 2)) with N0 = 4
    expect(applyPFailCalibration(calibration, 0.95)).toBeCloseTo(3 / 4, 12); // (N1 + 1) / (N1 + 2) with N1 = 2
  });

  it("refuses bad input with the field named, and a stored map that would reorder queries", () => {
    expect(() => fitPFailCalibration("isotonic", [0.1, 0.2], [1], "x")).toThrow(PyramidConfigError);
    const error = thrownBy(() => fitPFailCalibration("platt", [0.1, 1.5], [0, 1], "x"));
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect((error as PyramidConfigError).field).toBe("scores[1]");
    const bad = pFailCalibrationSchema.safeParse({
      method: "isotonic",
      x: [0.1, 0.5],
      y: [0.6, 0.2],
      fittedOn: "x",
      rows: 2,
    });
    expect(bad.success).toBe(false);
    expect(pFailCalibrationSchema.safeParse({ method: "platt", a: -1, b: 0, fittedOn: "x", rows: 2 }).success).toBe(
      false,
    );
  });

  it("measures reliability: bins, ECE, Wilson intervals, equal-mass bins", () => {
    const predicted = [0.05, 0.05, 0.15, 0.95, 0.95, 0.95, 0.95];
    const outcomes = [0, 0, 1, 1, 1, 1, 0];
    const report = reliabilityReport(predicted, outcomes);
    expect(report.bins).toHaveLength(10);
    expect(report.bins[0]).toMatchObject({ count: 2, meanPredicted: 0.05, observedRate: 0 });
    expect(report.bins[9]).toMatchObject({ count: 4, observedRate: 0.75 });
    expect(report.ece).toBeCloseTo((2 * 0.05 + 1 * 0.85 + 4 * 0.2) / 7, 12);
    expect(report.mce).toBeCloseTo(0.85, 12);
    expect(report.bins[9].observedLower).toBeLessThan(0.75);
    expect(report.bins[9].observedUpper).toBeGreaterThan(0.75);
    const quantiles = reliabilityReport(predicted, outcomes, { binning: "equal-mass", bins: 3 });
    expect(quantiles.bins.reduce((s, b) => s + b.count, 0)).toBe(7);
    // Equal predictions stay in one bin: no two bins share a value.
    for (let k = 1; k < quantiles.bins.length; k++)
      expect(quantiles.bins[k].lower).toBeGreaterThan(quantiles.bins[k - 1].upper);
  });
});
