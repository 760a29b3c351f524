import { beforeAll, describe, expect, it } from "vitest";
import type { EvalTraceLine } from "../../src/core/trace_schema.js";
import { type GradedPrediction, PRESET_NAMES } from "../../src/index.js";
import { candidateThresholds } from "../../src/policy/calibrate.js";
import { applyPFailCalibration } from "../../src/router/calibration/calibrator.js";
import { libXGBoostAvailable } from "../../src/router/train/libxgboost.js";
import {
  describeGuarantee,
  GUARANTEED_PRESET_SPECS,
  riskControlledThreshold,
  trainRouter,
} from "../../src/router/train/index.js";
import { missing } from "../helpers/requires.js";
import { buildGsm8kTraces } from "./gsm8k_traces.js";

// The bundle's guaranteed presets are the exact binomial Learn-then-Test thresholds of its own calibration rows.
describe.skipIf(missing(libXGBoostAvailable(), "libxgboost"))("trainRouter's guaranteed presets", () => {
  let traces: EvalTraceLine[];
  beforeAll(() => {
    traces = buildGsm8kTraces();
  });

  it("are the binomial Learn-then-Test thresholds of the calibrated out-of-fold rows, with their guarantee", () => {
    const { bundle, calibrationRows } = trainRouter({ traces, seed: 3, numRounds: 40, bootstrap: { resamples: 50 } });
    const byId = new Map(traces.map((t) => [t.id, t]));
    const map = bundle.pFailCalibration;
    const rows: GradedPrediction[] = calibrationRows.ids.map((id, k) => {
      const t = byId.get(id) as EvalTraceLine;
      const raw = calibrationRows.rawPFail[k];
      return {
        pFail: map ? applyPFailCalibration(map, raw) : raw,
        crowdCorrect: t.crowdCorrect,
        oracleCorrect: t.oracleCorrect ?? false,
        crowdCost: t.cost.crowd,
        oracleCost: t.cost.oracle,
        oracleOnlyCost: t.cost.oracleOnly,
      };
    });
    const figures = (
      bundle.metadata.validation as unknown as { guaranteedPresets: Record<string, { guarantee: string }> }
    ).guaranteedPresets;
    // Presets are kept ordered by cost: a preset never escalates more than one with a smaller delta.
    let floor = 0;
    for (const name of ["baseline-match", "balanced", "economy"] as const) {
      const spec = GUARANTEED_PRESET_SPECS[name] as { delta: number; alpha: number; test?: "binomial" | "weighted" };
      expect(spec.test).toBe(name === "baseline-match" ? "weighted" : "binomial");
      const own = riskControlledThreshold(rows, candidateThresholds(rows), spec, 3).threshold;
      floor = Math.max(floor, own);
      expect(bundle.presets[`${name}-guaranteed`]).toBe(floor);
      expect(figures[`${name}-guaranteed`].guarantee).toBe(describeGuarantee(spec));
    }
    expect(PRESET_NAMES).toHaveLength(3);
    // 947 rows certify the cheap end: economy-guaranteed escalates less than everything.
    expect(bundle.presets["economy-guaranteed"]).toBeGreaterThan(0);
  });
});
