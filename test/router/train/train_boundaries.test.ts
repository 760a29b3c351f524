import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDeepEvaluation, type EvalTraceLine } from "../../../src/eval/index.js";
import { loadRouter, resolvePyramidOptions } from "../../../src/index.js";
import { RecordedOutputs } from "../../../src/replay/index.js";
import { dataDir } from "../../../src/eval/index.js";
import { libXGBoostAvailable } from "../../../src/router/train/libxgboost.js";
import { calibrateJointPresets, trainBoundaryRouters, type JointRow } from "../../../src/router/train/index.js";
import { runCli } from "../../cli/capture.js";
import { missing } from "../../helpers/requires.js";

const dirs: string[] = [];
const tmp = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "pyramid-boundaries-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("calibrateJointPresets (joint thresholds of every boundary)", () => {
  // A separable fixture: the crowd is right exactly when its P_fail < 0.5, the middle tier exactly when its own
  // P_fail < 0.5, the apex always. Costs 1, 5 and 20 per query.
  const rows: JointRow[] = Array.from({ length: 60 }, (_, i) => {
    const crowdRight = i % 3 !== 0;
    const middleRight = i % 5 !== 0;
    return {
      pFail: [crowdRight ? 0.1 + (i % 7) / 100 : 0.7 + (i % 4) / 100, middleRight ? 0.2 : 0.9],
      correct: [crowdRight, middleRight, true],
      cost: [1, 5, 20],
    };
  });

  it("baseline-match is the cheapest combination that keeps the apex's accuracy on every resample", () => {
    const joint = calibrateJointPresets(rows, { resamples: 200, seed: 3 });
    const bm = joint.reports["baseline-match"];
    expect(joint.apexAccuracy).toBe(1);
    expect(bm.accuracy).toBe(1);
    expect(bm.feasible).toBe(true);
    expect(bm.targetProbability).toBe(1);
    // Stop at the crowd exactly where it is right (40 of 60), at the middle tier exactly where it is right.
    const crowdStops = rows.filter((r) => r.correct[0]).length;
    const middleStops = rows.filter((r) => !r.correct[0] && r.correct[1]).length;
    expect(bm.answeredShare).toEqual([crowdStops / 60, middleStops / 60, (60 - crowdStops - middleStops) / 60]);
    expect(bm.thresholds[0]).toBeGreaterThanOrEqual(0.16);
    expect(bm.thresholds[0]).toBeLessThan(0.7);
    expect(bm.thresholds[1]).toBeGreaterThanOrEqual(0.2);
    expect(bm.thresholds[1]).toBeLessThan(0.9);
    const cost = crowdStops * 1 + middleStops * 6 + (60 - crowdStops - middleStops) * 26;
    expect(bm.costSaving).toBeCloseTo(1 - cost / (60 * 20), 12);
    // Ordered by cost: economy <= balanced <= baseline-match.
    expect(joint.reports.economy.costSaving).toBeGreaterThanOrEqual(joint.reports.balanced.costSaving - 1e-12);
    expect(joint.reports.balanced.costSaving).toBeGreaterThanOrEqual(bm.costSaving - 1e-12);
  });

  it("refuses rows of different depths, naming the field", () => {
    expect(() => calibrateJointPresets([rows[0], { pFail: [0.1], correct: [true, true], cost: [1, 1] }])).toThrow(
      /one pyramid depth/,
    );
  });
});

describe.skipIf(missing(libXGBoostAvailable(), "libxgboost"))(
  "per-boundary routers on the recorded 8B -> 70B -> 405B GSM8K traces",
  () => {
    let traces: EvalTraceLine[] = [];
    const evalDir = tmp();
    beforeAll(async () => {
      const run = await runDeepEvaluation({ benchmark: "gsm8k", limit: 160, shippedRouters: false, outDir: evalDir });
      traces = run.traces;
    }, 180_000);

    it("trains one router per boundary on the features the graph computed there, with joint presets", () => {
      const result = trainBoundaryRouters({ traces, seed: 2 });
      expect(result.bundles).toHaveLength(2);
      expect(result.tiers).toEqual([
        ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"],
        ["Meta-Llama-3.1-70B-Instruct"],
        ["Meta-Llama-3.1-405B-Instruct"],
      ]);
      result.bundles.forEach((bundle, k) => {
        expect(bundle.featureNames).toEqual(traces[0].boundaries?.[k].featureNames);
        expect(bundle.metadata.members).toEqual(result.tiers.slice(0, k + 1).flat());
        for (const name of ["economy", "balanced", "baseline-match"] as const) {
          expect(bundle.presets[name]).toBe(result.joint.presets[name][k]);
        }
        expect((bundle.metadata.pyramid as { boundary: number }).boundary).toBe(k);
      });
      // Out of fold: one P_fail per boundary for every trace, in [0, 1].
      expect(result.outOfFold.size).toBe(160);
      for (const p of result.outOfFold.values()) for (const x of p) expect(x >= 0 && x <= 1).toBe(true);
      // The graph takes the routers at their boundaries, and a preset resolves to each boundary's joint threshold.
      const store = RecordedOutputs.load(join(dataDir(), "recorded", "gsm8k.jsonl"));
      const apex = RecordedOutputs.load(join(dataDir(), "recorded", "gsm8k-405b.jsonl"));
      const spec = resolvePyramidOptions({
        tiers: result.tiers.map((models, k) => ({
          name: `t${k}`,
          models: models.map((name) => ({ name, model: (k === 2 ? apex : store).model(name) })),
          ...(k < 2 ? { router: result.routers[k] } : {}),
        })),
        policy: "balanced",
        task: "math",
      });
      expect(spec.tiers.slice(0, 2).map((t) => t.threshold)).toEqual(result.joint.presets.balanced);
    }, 180_000);

    it("refuses two-tier traces, and train/eval on the command line write and use the boundary routers", async () => {
      const twoTier = traces.map(({ tiers: _t, boundaries: _b, answeredTier: _a, ...rest }) => rest);
      expect(() => trainBoundaryRouters({ traces: twoTier })).toThrow(/three or more tiers/);
      const routers = join(tmp(), "routers");
      const train = await runCli(["train", "--traces", join(evalDir, "traces.jsonl"), "--out", routers, "--force"]);
      expect(train.code).toBe(0);
      expect(train.stdout).toContain("joint presets");
      const files = [join(routers, "boundary-0.json"), join(routers, "boundary-1.json")];
      expect(loadRouter(files[1]).featureNames).toContain("agrees_with_majority_3");
      const out = tmp();
      const run = await runCli([
        "eval",
        "--benchmark",
        "gsm8k",
        "--tiers",
        "deep",
        "--router",
        files[0],
        "--router",
        files[1],
        "--limit",
        "30",
        "--policy",
        "balanced",
        "--out",
        out,
        "--no-png",
      ]);
      expect(run.code).toBe(0);
      expect(run.stdout).toContain("Routers: the given routers");
      const saved = JSON.parse(readFileSync(files[0], "utf8")) as { presets: { balanced: number } };
      const line = JSON.parse(readFileSync(join(out, "traces.jsonl"), "utf8").split("\n")[0]) as EvalTraceLine;
      expect(line.boundaries?.[0].threshold).toBe(saved.presets.balanced);
    }, 180_000);
  },
);
