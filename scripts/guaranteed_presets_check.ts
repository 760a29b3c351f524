/**
 * Presets with a stated guarantee (Learn-then-Test, `risk-control` specs) against today's bootstrap presets, over N
 * random 70/30 splits of a run's traces (training and holdout parts together). Per split, one router is trained on the
 * 70% (`trainRouter`, seed = split); three preset families are chosen on the same calibration rows (its out-of-fold
 * predictions, calibrated): the bootstrap presets (`today`) and the guaranteed families below (`shipped`, `unwidened`,
 * `--tests ...`). Each is scored on the 30%: mean saving, mean
 * accuracy minus the Oracle's, the share of splits at or above the Oracle's accuracy, the share within each
 * guarantee's delta, and the saving at or above the Oracle's accuracy (the saving on a split where the preset's
 * accuracy is at least the Oracle alone's, 0 where it is below), with 95% normal intervals over the splits; and the
 * hindsight frontier (the cheapest threshold at or above the Oracle on the 30% itself). libxgboost runs on one thread
 * (`OMP_NUM_THREADS=1` unless set; see rule_learning_curve.ts). Needs libxgboost and the runs' outputs:
 *
 *   npm run demo && npx tsx src/cli/bin.ts eval --benchmark mbpp --train --out results/mbpp
 *   nice -n 10 npx tsx scripts/guaranteed_presets_check.ts [results/gsm8k results/mbpp] [--splits 20] [--tests weighted]
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { EvalTraceLine } from "../src/core/trace_schema.js";
import { calibrationProfile, performanceAt, type GradedPrediction } from "../src/policy/calibrate.js";
import {
  calibratePresets,
  GUARANTEED_PRESET_SPECS,
  PRESET_NAMES,
  type PresetName,
  type PresetSpec,
} from "../src/policy/presets.js";
import type { RiskTest } from "../src/policy/risk_control.js";
import { applyPFailCalibration } from "../src/router/calibration/calibrator.js";
import { readTraces, tracesToDataset } from "../src/router/train/dataset.js";
import { trainRouter } from "../src/router/train/train_router.js";
import { mean, randomSplit } from "./holdout_splits.js";

process.env.OMP_NUM_THREADS ??= "1";
const args = process.argv.slice(2);
const splitsAt = args.indexOf("--splits");
const SPLITS = splitsAt >= 0 ? Number(args[splitsAt + 1]) : 20;
const testsAt = args.indexOf("--tests");
const runs = args.filter(
  (a, i) => !a.startsWith("--") && (splitsAt < 0 || i !== splitsAt + 1) && (testsAt < 0 || i !== testsAt + 1),
);

function graded(trace: EvalTraceLine, pFail: number): GradedPrediction {
  return {
    pFail,
    crowdCorrect: trace.crowdCorrect,
    oracleCorrect: trace.oracleCorrect ?? false,
    crowdCost: trace.cost.crowd,
    oracleCost: trace.cost.oracle,
    oracleOnlyCost: trace.cost.oracleOnly,
  };
}

/**
 * Families of guaranteed presets: `shipped` (GUARANTEED_PRESET_SPECS as they are, deltas widened to what the
 * calibration rows can certify), `unwidened` (the same tests at the specs' own deltas: the presets before 2026-12-08),
 * and, with `--tests binomial,betting,...`, the shipped deltas (widened) with that test for all three presets.
 */
const TESTS = (testsAt >= 0 ? args[testsAt + 1].split(",") : []) as RiskTest[];
const FAMILIES = ["shipped", "unwidened", ...TESTS];
const specsOf = (family: string): Record<PresetName, PresetSpec> =>
  Object.fromEntries(
    PRESET_NAMES.map((name) => {
      const spec = GUARANTEED_PRESET_SPECS[name];
      if (spec.kind !== "risk-control" || family === "shipped") return [name, spec];
      if (family === "unwidened") return [name, { ...spec, widenToCertifiable: false }];
      return [name, { ...spec, test: family as RiskTest }];
    }),
  ) as Record<PresetName, PresetSpec>;
const SPECS = new Map<string, Record<PresetName, PresetSpec>>(FAMILIES.map((family) => [family, specsOf(family)]));

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const pts = (x: number): string => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(2)}`;

/** Mean and 95% normal interval half-width of xs. */
function ci(xs: readonly number[]): string {
  const m = mean(xs);
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${pct(m)} ±${((196 * sd) / Math.sqrt(xs.length)).toFixed(1)}`;
}

for (const run of runs.length > 0 ? runs : ["results/gsm8k", "results/mbpp"]) {
  const holdoutFile = join(run, "traces.jsonl");
  const traces = [
    ...readTraces(join(run, "train_traces.jsonl")),
    ...(existsSync(holdoutFile) ? readTraces(holdoutFile) : []),
  ];
  const results = new Map<string, { saving: number; gap: number; delta: number }[]>();
  const frontier: number[] = [];
  const push = (key: string, x: { saving: number; gap: number; delta: number }): void => {
    results.set(key, [...(results.get(key) ?? []), x]);
  };
  for (let split = 1; split <= SPLITS; split++) {
    const { train, test } = randomSplit(traces, 700 + split);
    const { router, bundle, calibrationRows } = trainRouter({ traces: train, seed: split });
    const byId = new Map(train.map((t) => [t.id, t]));
    const map = bundle.pFailCalibration;
    const calibration = calibrationRows.ids.map((id, k) => {
      const raw = calibrationRows.rawPFail[k];
      return graded(byId.get(id) as EvalTraceLine, map ? applyPFailCalibration(map, raw) : raw);
    });
    const chosen = new Map(
      FAMILIES.map((family) => [family, calibratePresets(calibration, specsOf(family), { bootstrap: false })]),
    );
    const data = tracesToDataset(test);
    const cols = data.matrix.cols;
    const p = router.predictBatch(
      Array.from({ length: data.matrix.rows }, (_, i) => data.matrix.data.subarray(i * cols, (i + 1) * cols)),
    );
    const rows = test.map((t, i) => graded(t, p[i]));
    const oracle = performanceAt(rows, -1).accuracy;
    let best = 0;
    for (const point of calibrationProfile(rows))
      if (point.accuracy >= oracle - 1e-12) best = Math.max(best, point.costSaving);
    frontier.push(best);
    for (const name of PRESET_NAMES) {
      const families: [string, number, number][] = [
        ["today", bundle.presets[name], 0],
        ...FAMILIES.map((family): [string, number, number] => {
          const report = chosen.get(family)?.reports[name];
          return [family, report?.threshold ?? 0, report?.delta ?? 0];
        }),
      ];
      for (const [family, threshold, delta] of families) {
        const at = performanceAt(rows, threshold);
        push(`${family}:${name}`, { saving: at.costSaving, gap: at.accuracy - oracle, delta });
      }
    }
  }
  console.log(`\n${run} (${traces.length} items, ${SPLITS} random 70/30 splits; mean ±95% half-width over splits)`);
  console.log(`hindsight frontier at the Oracle's accuracy: mean saving ${ci(frontier)}`);
  console.log(
    "preset | family | guarantee | mean saving | mean accuracy - Oracle (points) | splits at or above the Oracle | splits within delta | saving at or above the Oracle",
  );
  for (const name of PRESET_NAMES) {
    for (const family of ["today", ...FAMILIES]) {
      const xs = results.get(`${family}:${name}`) ?? [];
      const spec = SPECS.get(family)?.[name];
      const guarantee =
        spec?.kind === "risk-control"
          ? `${spec.test ?? "binomial"}: acc >= Oracle - ${pts(mean(xs.map((x) => x.delta)))} (mean stated delta) w.p. ${1 - spec.alpha}`
          : "bootstrap (none)";
      console.log(
        [
          name,
          family,
          guarantee,
          ci(xs.map((x) => x.saving)),
          pts(mean(xs.map((x) => x.gap))),
          `${xs.filter((x) => x.gap >= -1e-12).length}/${xs.length}`,
          `${xs.filter((x) => x.gap >= -x.delta - 1e-12).length}/${xs.length}`,
          ci(xs.map((x) => (x.gap >= -1e-12 ? x.saving : 0))),
        ].join(" | "),
      );
    }
  }
  console.log("paired by split, saving at or above the Oracle (0 below it): difference, 95% normal interval");
  const credited = (family: string, name: PresetName): number[] =>
    (results.get(`${family}:${name}`) ?? []).map((x) => (x.gap >= -1e-12 ? x.saving : 0));
  for (const name of PRESET_NAMES) {
    for (const family of FAMILIES) {
      const today = credited("today", name);
      const diffs = credited(family, name).map((x, i) => x - today[i]);
      console.log(`${name}: ${family} - today ${ci(diffs)}`);
    }
  }
}
