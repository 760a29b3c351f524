import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { trainCommand } from "../../src/cli/commands/train.js";
import { loadRouterBundle } from "../../src/router/bundle.js";
import type { EvalTraceLine } from "../../src/core/trace_schema.js";
import { type GradedPrediction, PRESET_NAMES } from "../../src/index.js";
import { candidateThresholds } from "../../src/policy/calibrate.js";
import { applyPFailCalibration } from "../../src/router/calibration/calibrator.js";
import { libXGBoostAvailable } from "../../src/router/train/libxgboost.js";
import {
  certifiableDelta,
  describeGuarantee,
  GUARANTEED_PRESET_SPECS,
  riskControlledThreshold,
  trainRouter,
} from "../../src/router/train/index.js";
import { missing } from "../helpers/requires.js";
import { buildGsm8kTraces, writeTraces } from "./gsm8k_traces.js";

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
      // 947 rows certify every asked delta: none is widened.
      expect(figures[`${name}-guaranteed`].guarantee).toBe(describeGuarantee(spec));
    }
    expect(PRESET_NAMES).toHaveLength(3);
    // 947 rows certify the cheap end: economy-guaranteed escalates less than everything.
    expect(bundle.presets["economy-guaranteed"]).toBeGreaterThan(0);
  });

  it("pyramid-moa train on 200 traces widens baseline-match-guaranteed's delta, records it and prints it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pyramid-guaranteed-"));
    const file = join(dir, "traces.jsonl");
    const out = join(dir, "router.json");
    writeTraces(file, traces.slice(0, 200));
    const printed: string[] = [];
    const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void printed.push(args.join(" ")));
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      // --force: a router from 200 traces may be no better than chance; its presets are what this test reads.
      expect(await trainCommand.run(["--traces", file, "--out", out, "--rounds", "30", "--force"])).toBe(0);
    } finally {
      log.mockRestore();
      error.mockRestore();
    }
    const bundle = loadRouterBundle(out);
    expect(bundle.metadata.validationRows).toBe(200);
    const figures = (
      bundle.metadata.validation as unknown as {
        guaranteedPresets: Record<string, { delta: number; guarantee: string; spec: { delta: number } }>;
      }
    ).guaranteedPresets;
    // 200 rows cannot certify 1 point (0.99^200 = 0.134 > 0.1): the weighted test's smallest certifiable loss,
    // 1 - 0.075^(1/200) = 0.01287 at least, is stated instead; 2 and 3 points are certifiable (binomial: 1.15 points).
    const widened = certifiableDelta("weighted", 200, 0.1);
    expect(widened).toBeGreaterThanOrEqual(1 - 0.075 ** (1 / 200));
    expect(widened).toBeLessThan(0.014);
    expect(figures["baseline-match-guaranteed"].delta).toBe(widened);
    expect(figures["baseline-match-guaranteed"].spec.delta).toBe(0.01);
    expect(figures["baseline-match-guaranteed"].guarantee).toContain(`minus ${(100 * widened).toFixed(2)} points`);
    expect(figures["balanced-guaranteed"].delta).toBe(0.02);
    expect(figures["economy-guaranteed"].delta).toBe(0.03);
    const text = printed.join("\n");
    expect(text).toMatch(
      new RegExp(
        `^baseline-match-guaranteed +[01]\\.\\d{4} .*accuracy >= Oracle - ${(100 * widened).toFixed(2)} points w\\.p\\. 90\\.0% \\(widened from 1\\.00: the smallest loss 200 calibration rows can certify\\)$`,
        "m",
      ),
    );
    expect(text).toMatch(/^balanced-guaranteed +[01]\.\d{4} .*accuracy >= Oracle - 2\.00 points w\.p\. 90\.0%$/m);
  });
});
