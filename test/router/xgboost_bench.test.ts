import { describe, expect, it } from "vitest";
import { runXGBoostBench } from "../../bench/xgboost.js";
import { libXGBoostAvailable } from "../../src/router/train/libxgboost.js";
import { missing } from "../helpers/requires.js";

// Needs the real libxgboost (its in-place predict is the baseline): skipped only where it cannot be loaded.
describe.skipIf(missing(libXGBoostAvailable(), "libxgboost"))(
  "bench/xgboost.ts (smoke run, no timing assertions)",
  () => {
    it("checks both evaluators agree on 1000 fresh rows, then reports its three figures", async () => {
      const figures = await runXGBoostBench({ repeats: 1, singleRowCalls: 200, nativeSingleRowCalls: 20, batches: 1 });
      expect(figures.map((f) => f.unit)).toEqual(["µs/prediction", "predictions/s", "predictions/s"]);
      for (const f of figures) {
        expect(f.section).toBe("Router");
        expect(Number.isFinite(f.value) && f.value > 0).toBe(true);
        expect(Number.isFinite(f.baseline) && f.baseline > 0).toBe(true);
        expect(f.ratio).toBeCloseTo(f.value / f.baseline, 10);
        expect(f.note).toMatch(/libxgboost \d+\.\d+\.\d+ XGBoosterPredictFromDense/);
      }
      expect(figures[0].target).toBe("single-row < 5 µs");
    });
  },
);
