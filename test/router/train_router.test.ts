import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { DataFormatError, MissingDependencyError, PyramidConfigError } from "../../src/errors/index.js";
import type { EvalTraceLine } from "../../src/core/trace_schema.js";
import { loadRouter, parseRouterBundle, routerFromBundle, saveRouterBundle } from "../../src/router/bundle.js";
import { libXGBoostAvailable, loadLibXGBoost } from "../../src/router/train/libxgboost.js";
import { stratifiedFolds, trainRouter } from "../../src/router/train/index.js";
import { buildGsm8kTraces, CROWD, TEST_FEATURE_NAMES, writeTraces } from "./gsm8k_traces.js";
import { missing } from "../helpers/requires.js";

const savedEnv = process.env.PYRAMID_LIBXGBOOST;
afterEach(() => {
  if (savedEnv === undefined) delete process.env.PYRAMID_LIBXGBOOST;
  else process.env.PYRAMID_LIBXGBOOST = savedEnv;
});

describe("libxgboost loading", () => {
  it("says how to install libxgboost when it cannot be loaded", () => {
    process.env.PYRAMID_LIBXGBOOST = "/nonexistent/libxgboost.so";
    let error: unknown;
    try {
      loadLibXGBoost();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(MissingDependencyError);
    expect((error as Error).message).toMatch(
      /^PYRAMID_LIBXGBOOST: libxgboost could not be loaded; tried \/nonexistent\/libxgboost\.so/,
    );
    expect((error as Error).message).toContain("apt-get install -y libxgboost0");
  });
});

// Training needs the real libxgboost: skipped only on machines where it cannot be loaded
// (CI installs it with `apt-get install -y libxgboost0`, so there these tests always run).
describe.skipIf(missing(libXGBoostAvailable(), "libxgboost"))(
  "trainRouter with the real libxgboost on real GSM8K traces",
  () => {
    let traces: EvalTraceLine[];
    beforeAll(() => {
      traces = buildGsm8kTraces();
    });

    it("trains a router whose bundle is valid, calibrated on a validation split and reproducible", () => {
      const lib = loadLibXGBoost();
      expect(lib.version[0]).toBeGreaterThanOrEqual(1);
      const { bundle, router, validationCurve } = trainRouter({
        traces,
        seed: 1,
        validationFraction: 0.2,
        calibration: "validation",
      });
      expect(traces.length).toBeGreaterThan(900);
      expect(bundle.metadata.trainRows + bundle.metadata.validationRows).toBe(traces.length);
      expect(bundle.metadata.validationRows).toBe(Math.round(traces.length * 0.2));
      expect(bundle.metadata.dataset).toBe("gsm8k");
      // The crowd order is recorded: per-member features are positional, and loading checks it.
      expect((bundle.metadata as { members?: string[] }).members).toEqual([...CROWD]);
      expect(routerFromBundle(bundle).memberNames).toEqual([...CROWD]);
      expect(bundle.featureNames).toEqual(TEST_FEATURE_NAMES);
      expect(router.featureNames).toEqual(TEST_FEATURE_NAMES);
      parseRouterBundle(JSON.parse(JSON.stringify(bundle)));
      // Agreement features carry real signal about crowd errors on GSM8K.
      const auc = bundle.metadata.validation.auc as number;
      expect(auc).toBeGreaterThan(0.65);
      expect(bundle.metadata.validation.logloss).toBeLessThan(0.5);
      // Presets are ordered by cost: economy escalates least, baseline-match most.
      const { economy, balanced } = bundle.presets;
      expect(economy).toBeGreaterThanOrEqual(balanced);
      expect(balanced).toBeGreaterThanOrEqual(bundle.presets["baseline-match"]);
      const validation = bundle.metadata.validation as Record<string, unknown>;
      for (const name of ["economy", "balanced", "baseline-match"]) {
        expect(validation[`recallOfCrowdErrors@${name}`]).toBeTypeOf("number");
      }
      expect(validation["accuracy@baseline-match"] as number).toBeGreaterThanOrEqual(
        validation.oracleAccuracy as number,
      );
      // Gain importance only names features used in a split; the always-missing one never is.
      expect(Object.keys(bundle.metadata.importance).length).toBeGreaterThan(0);
      expect(bundle.metadata.importance).not.toHaveProperty("avg_logprob");
      for (const name of Object.keys(bundle.metadata.importance)) expect(TEST_FEATURE_NAMES).toContain(name);
      // Early stopping keeps the best round.
      const rounds = bundle.metadata.rounds as { best: number; trained: number };
      expect(router.numTrees).toBe(rounds.best);
      expect(validationCurve.length).toBe(rounds.trained);
      expect(Math.min(...validationCurve)).toBe(validationCurve[rounds.best - 1]);
      // Same seed, same model; another seed, another split.
      const again = trainRouter({ traces, seed: 1, validationFraction: 0.2, calibration: "validation" });
      expect(JSON.stringify(again.bundle)).toBe(JSON.stringify(bundle)); // byte-for-byte: no timestamps
      const other = trainRouter({ traces, seed: 2, validationFraction: 0.2, calibration: "validation" });
      expect(other.bundle.metadata.validation.logloss).not.toBe(bundle.metadata.validation.logloss);
    });

    it("by default calibrates the presets on out-of-fold predictions of every trace, reproducibly", () => {
      const { bundle, router, validationCurve, foldCurves } = trainRouter({ traces, seed: 1 });
      parseRouterBundle(JSON.parse(JSON.stringify(bundle)));
      // Every trace is predicted by a booster that never saw it, and all of them calibrate the presets.
      expect(bundle.metadata.validationRows).toBe(traces.length);
      expect(bundle.metadata.trainRows).toBe(traces.length);
      const validation = bundle.metadata.validation as Record<string, unknown>;
      expect(validation.calibration).toBe("cross-validation");
      expect(validation.folds).toBe(5);
      const errors = traces.filter((t) => !t.crowdCorrect).length;
      expect(validation.crowdErrorRate).toBeCloseTo(errors / traces.length, 12);
      expect(validation.crowdAccuracy).toBeCloseTo(1 - errors / traces.length, 12);
      expect(validation.auc as number).toBeGreaterThan(0.65);
      const presetFigures = validation.presets as Record<string, { threshold: number }>;
      for (const name of ["economy", "balanced", "baseline-match"] as const) {
        expect(presetFigures[name].threshold).toBe(bundle.presets[name]);
      }
      expect(validation["accuracy@baseline-match"] as number).toBeGreaterThanOrEqual(
        validation.oracleAccuracy as number,
      );
      // The final model is trained on all traces for the median of the folds' best rounds.
      const rounds = bundle.metadata.rounds as { best: number; trained: number; folds: number[] };
      expect(rounds.folds).toHaveLength(5);
      expect(rounds.best).toBe([...rounds.folds].sort((a, b) => a - b)[2]);
      expect(rounds.trained).toBe(rounds.best);
      expect(router.numTrees).toBe(rounds.best);
      expect(validationCurve).toEqual([]);
      expect(foldCurves).toHaveLength(5);
      for (const [f, curve] of foldCurves.entries()) expect(Math.min(...curve)).toBe(curve[rounds.folds[f] - 1]);
      // The final model's base score is the crowd error rate of all traces.
      expect(bundle.metadata.params?.base_score).toBe(Math.fround(errors / traces.length));
      // Same seed, same bytes; another seed, other folds.
      const again = trainRouter({ traces, seed: 1 });
      expect(JSON.stringify(again.bundle)).toBe(JSON.stringify(bundle));
      // The order the traces come in does not matter (they are put in order of id first).
      const reversed = trainRouter({ traces: [...traces].reverse(), seed: 1 });
      expect(JSON.stringify(reversed.bundle)).toBe(JSON.stringify(bundle));
      const other = trainRouter({ traces, seed: 2 });
      expect(other.bundle.metadata.validation.logloss).not.toBe(bundle.metadata.validation.logloss);
      // Three folds: other out-of-fold predictions, still on every trace.
      const three = trainRouter({ traces, seed: 1, folds: 3 });
      expect(three.bundle.metadata.validationRows).toBe(traces.length);
      expect((three.bundle.metadata.rounds as { folds: number[] }).folds).toHaveLength(3);
      expect(three.bundle.metadata.validation.logloss).not.toBe(bundle.metadata.validation.logloss);
    }, 240_000); // four trainings with 5-fold cross-validation: slow on a loaded 2-core machine

    it("deals stratified folds of equal size", () => {
      const labels = traces.map((t) => (t.crowdCorrect ? 0 : 1));
      const folds = stratifiedFolds(labels, 5, 1);
      expect(folds).toEqual(stratifiedFolds(labels, 5, 1));
      const errors = labels.filter((l) => l === 1).length;
      for (let f = 0; f < 5; f++) {
        const rows = folds.flatMap((fold, i) => (fold === f ? [i] : []));
        expect(Math.abs(rows.length - traces.length / 5)).toBeLessThan(1);
        expect(Math.abs(rows.filter((i) => labels[i] === 1).length - errors / 5)).toBeLessThan(1);
      }
    });

    it("refuses bad fold settings with the field at fault", () => {
      expect(() => trainRouter({ traces, folds: 1 })).toThrow(PyramidConfigError);
      expect(() => trainRouter({ traces, folds: 1 })).toThrow(/trainRouter\.folds/);
      expect(() => trainRouter({ traces, folds: 2.5 })).toThrow(/trainRouter\.folds/);
      expect(() => trainRouter({ traces, calibration: "holdout" as "validation" })).toThrow(/trainRouter\.calibration/);
      expect(() => trainRouter({ traces: traces.slice(0, 8), folds: 10 })).toThrow(/8 traces are too few for 10 folds/);
      // A fold whose training part has no crowd error cannot be trained.
      const oneError = traces.slice(0, 60).map((t, i) => ({ ...t, crowdCorrect: i !== 3 }));
      expect(() => trainRouter({ traces: oneError, folds: 3 })).toThrow(
        /every crowd answer in the training part of fold \d of 3 is correct/,
      );
    });

    it("trains from a JSONL file, saves a bundle that loadRouter reads back with its presets", () => {
      const dir = mkdtempSync(join(tmpdir(), "pyramid-train-"));
      const file = join(dir, "traces.jsonl");
      writeTraces(file, traces);
      const { bundle, router } = trainRouter({
        tracesFile: file,
        seed: 3,
        numRounds: 30,
        earlyStoppingRounds: 0,
        params: { max_depth: 2 },
      });
      expect(router.numTrees).toBe(30);
      expect(bundle.metadata.params?.max_depth).toBe(2);
      saveRouterBundle(join(dir, "router.json"), bundle);
      const loaded = loadRouter(join(dir, "router.json"));
      expect(loaded.presets).toEqual(bundle.presets);
      for (const trace of traces.slice(0, 50)) {
        const vector = { names: trace.featureNames, values: trace.features.map((x) => (x === null ? Number.NaN : x)) };
        expect(loaded.predict(vector)).toBe(router.predict(vector));
      }
    });

    it("early-stops on a maximised metric (auc) at its best round", () => {
      const { bundle, validationCurve, router } = trainRouter({
        traces,
        seed: 5,
        params: { eval_metric: "auc" },
        earlyStoppingRounds: 10,
        calibration: "validation",
      });
      const best = (bundle.metadata.rounds as { best: number }).best;
      expect(Math.max(...validationCurve)).toBe(validationCurve[best - 1]);
      expect(router.numTrees).toBe(best);
    });

    it("reports unusable traces with the line or trace at fault", () => {
      const dir = mkdtempSync(join(tmpdir(), "pyramid-train-"));
      const broken = join(dir, "broken.jsonl");
      writeFileSync(broken, `${JSON.stringify(traces[0])}\n{not json\n`);
      expect(() => trainRouter({ tracesFile: broken })).toThrow(DataFormatError);
      expect(() => trainRouter({ tracesFile: broken })).toThrow(/broken\.jsonl:2: not valid JSON/);
      const notTrace = join(dir, "not_trace.jsonl");
      writeFileSync(notTrace, `${JSON.stringify({ id: "x" })}\n`);
      expect(() => trainRouter({ tracesFile: notTrace })).toThrow(/not_trace\.jsonl:1: not a trace line: benchmark/);
      const mixed = traces
        .slice(0, 100)
        .map((t, i) => (i === 7 ? { ...t, featureNames: ["other", ...t.featureNames.slice(1)] } : t));
      expect(() => trainRouter({ traces: mixed })).toThrow(
        /traces\[7\]: feature names differ from the first trace's at position 0/,
      );
      const allRight = traces.slice(0, 100).map((t) => ({ ...t, crowdCorrect: true }));
      expect(() => trainRouter({ traces: allRight })).toThrow(/every crowd answer in the training split is correct/);
      const noOracle = traces.slice(0, 200).map((t) => ({ ...t, oracleCorrect: undefined }));
      expect(() => trainRouter({ traces: noOracle, seed: 1 })).toThrow(/has no oracleCorrect/);
      expect(() => trainRouter({ traces: traces.slice(0, 2) })).toThrow(/too few/);
      expect(() => trainRouter({})).toThrow(PyramidConfigError);
      expect(() => trainRouter({ traces, validationFraction: 1.5 })).toThrow(/trainRouter\.validationFraction/);
      expect(() => trainRouter({ traces, params: { objective: "reg:squarederror" } })).toThrow(
        /objective must be binary:logistic/,
      );
    });
  },
);
