import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { applyPFailCalibration, loadRouter, saveRouterBundle } from "../../src/index.js";
import type { EvalTraceLine } from "../../src/eval/index.js";
import { fitPFailCalibration, trainRouter } from "../../src/router/train/index.js";
import { libXGBoostAvailable } from "../../src/router/train/libxgboost.js";
import { rocAuc } from "../../src/router/train/metrics.js";
import { buildGsm8kTraces } from "./gsm8k_traces.js";
import { missing } from "../helpers/requires.js";

interface Figures {
  auc: number;
  logloss: number;
  ece: number;
  brier: number;
}

// Training needs the real libxgboost (CI installs it). Generous timeouts: each test trains on ~950 traces, which takes
// seconds alone and much longer on a machine shared with other jobs.
describe.skipIf(missing(libXGBoostAvailable(), "libxgboost"))(
  "trainRouter calibrates P_fail on out-of-fold predictions (real libxgboost, real GSM8K traces)",
  () => {
    let traces: EvalTraceLine[];
    beforeAll(() => {
      traces = buildGsm8kTraces();
    });

    it("stores an isotonic calibration, applies it in predict, and picks presets on the calibrated P_fail with intervals", () => {
      const { bundle, router, calibrationRows } = trainRouter({ traces, seed: 1, pFailCalibration: "isotonic" });
      // The calibration is the one fitted on the returned out-of-fold predictions.
      expect(calibrationRows.rawPFail).toHaveLength(traces.length);
      expect(calibrationRows.ids).toEqual([...traces.map((t) => t.id)].sort());
      expect(
        fitPFailCalibration(
          "isotonic",
          calibrationRows.rawPFail,
          calibrationRows.labels,
          "out-of-fold predictions (5 folds)",
        ),
      ).toEqual(bundle.pFailCalibration);
      expect(bundle.version).toBe(2);
      const calibration = bundle.pFailCalibration;
      expect(calibration?.method).toBe("isotonic");
      expect(calibration?.rows).toBe(traces.length);
      expect(calibration?.fittedOn).toBe("out-of-fold predictions (5 folds)");
      expect(router.calibration).toEqual(calibration);
      const values = traces.map((t) => t.features.map((v) => (v === null ? Number.NaN : v)));
      const calibrated = router.predictBatch(values);
      for (const [i, row] of values.entries())
        expect(calibrated[i]).toBe(applyPFailCalibration(calibration!, router.predictRaw(row)));
      // Monotone: same ranking, so the same AUC up to ties in the flat ends.
      const labels = traces.map((t) => (t.crowdCorrect ? 0 : 1));
      const raw = values.map((row) => router.predictRaw(row));
      expect(Math.abs(rocAuc(calibrated, labels) - rocAuc(raw, labels))).toBeLessThan(0.01);
      const validation = bundle.metadata.validation as Record<string, unknown>;
      const pFail = validation.pFail as {
        method: string;
        raw: Figures;
        calibrated: Figures;
        crossFitted: { ece: number };
      };
      expect(pFail.method).toBe("isotonic");
      expect(pFail.calibrated.ece).toBeLessThan(pFail.raw.ece);
      expect(pFail.calibrated.auc).toBeCloseTo(pFail.raw.auc, 2);
      expect(pFail.crossFitted.ece).toBeTypeOf("number");
      expect(validation.bootstrap).toEqual({ resamples: 1000, seed: 1, level: 0.9 });
      const presets = validation.presets as Record<
        string,
        { threshold: number; feasible: boolean; targetProbability: number; intervals: Record<string, [number, number]> }
      >;
      const match = presets["baseline-match"];
      expect(match.threshold).toBe(bundle.presets["baseline-match"]);
      expect(match.feasible).toBe(true);
      expect(match.targetProbability).toBeGreaterThanOrEqual(0.9);
      const [lo, hi] = match.intervals.accuracyMinusOracle;
      expect(lo).toBeLessThanOrEqual(hi);
      expect(match.intervals.costSaving[0]).toBeLessThanOrEqual(match.intervals.costSaving[1]);
      // The bundle round-trips with its calibration: the loaded router predicts the same P_fail.
      const path = join(mkdtempSync(join(tmpdir(), "pyramid-train-calib-")), "router.json");
      saveRouterBundle(path, bundle);
      const loaded = loadRouter(path);
      for (const [i, row] of values.slice(0, 50).entries()) expect(loaded.predictRow(row)).toBe(calibrated[i]);
    }, 300_000);

    it("uses Platt scaling by default, and offers no calibration", () => {
      const platt = trainRouter({ traces, seed: 1, bootstrap: { resamples: 200 } });
      expect(platt.bundle.pFailCalibration?.method).toBe("platt");
      expect((platt.bundle.metadata.validation as { bootstrap: { resamples: number } }).bootstrap.resamples).toBe(200);
      const none = trainRouter({ traces, seed: 1, pFailCalibration: "none", bootstrap: { resamples: 200 } });
      expect(none.bundle.pFailCalibration).toBeUndefined();
      const row = traces[0].features.map((v) => (v === null ? Number.NaN : v));
      expect(none.router.predictRow(row)).toBe(none.router.predictRaw(row));
      expect(() => trainRouter({ traces, pFailCalibration: "beta" as "platt" })).toThrow(/pFailCalibration/);
    }, 300_000);
  },
);
