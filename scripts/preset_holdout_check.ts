/**
 * Where the presets land on unseen data: for seeds 1-5, the items of a recorded run are split as `pyramid-moa eval
 * --train --seed <s>` splits them (70% train / 30% holdout), a router is trained on the training part with that seed
 * (presets fixed in advance: chosen on the training part's out-of-fold predictions), and each preset is scored on the
 * holdout part against the Oracle alone, with 90% paired-bootstrap intervals (1000 resamples of the holdout) of the
 * accuracy difference and of the saving. For comparison, the same router's presets chosen on the point estimate
 * (specs without `confidence`, the version 1 behaviour), and the hindsight frontier (the cheapest threshold at or above
 * the Oracle on the holdout itself, which no preset fixed in advance can know). Last, the reliability of P_fail on the
 * holdout (ECE, 10 equal-width bins; Brier score; AUC) for the raw model output, isotonic and Platt calibration.
 * Needs libxgboost and the runs' outputs:
 *
 *   npm run demo && npx tsx src/cli/bin.ts eval --benchmark mbpp --train --out results/mbpp
 *   npx tsx scripts/preset_holdout_check.ts [results/gsm8k results/mbpp] [--seeds 1,2,3,4,5]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bootstrapProfile, percentileInterval, columnAt } from "../src/policy/bootstrap.js";
import { candidateThresholds, performanceAt, type GradedPrediction } from "../src/policy/calibrate.js";
import { DEFAULT_PRESET_SPECS, PRESET_NAMES, type PresetName, type PresetSpec } from "../src/policy/presets.js";
import { splitHoldout } from "../src/eval/run/split.js";
import { readTraces } from "../src/router/train/dataset.js";
import { trainRouter } from "../src/router/train/train_router.js";
import { getRecordedItems, itemsAnsweredByAll } from "../src/replay/items.js";
import { RecordedOutputs } from "../src/replay/recorded_outputs.js";
import type { EvalTraceLine } from "../src/core/trace_schema.js";
import { reliabilityReport } from "../src/router/calibration/reliability.js";
import { rocAuc } from "../src/router/train/metrics.js";

const args = process.argv.slice(2);
const seedsAt = args.indexOf("--seeds");
const SEEDS = seedsAt >= 0 ? args[seedsAt + 1].split(",").map(Number) : [1, 2, 3, 4, 5];
const runs = args.filter((a, i) => !a.startsWith("--") && (seedsAt < 0 || i !== seedsAt + 1));
const RUNS = runs.length > 0 ? runs : ["results/gsm8k", "results/mbpp"];
const LEVEL = 0.9;
const pct = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(1) : "n/a");
const pp = (x: number): string => (Number.isFinite(x) ? `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}` : "n/a");
const POINT_SPECS = Object.fromEntries(
  PRESET_NAMES.map((name) => {
    const { confidence: _drop, ...spec } = DEFAULT_PRESET_SPECS[name] as PresetSpec & { confidence?: number };
    return [name, spec];
  }),
) as Record<PresetName, PresetSpec>;

function gradedOf(trace: EvalTraceLine, pFail: number): GradedPrediction {
  return {
    pFail,
    crowdCorrect: trace.crowdCorrect,
    oracleCorrect: trace.oracleCorrect ?? false,
    crowdCost: trace.cost.crowd,
    oracleCost: trace.cost.oracle,
    oracleOnlyCost: trace.cost.oracleOnly,
  };
}

/** Holdout figures at one threshold: point values and 90% paired-bootstrap intervals. */
function scoreAt(rows: GradedPrediction[], threshold: number, seed: number) {
  const point = performanceAt(rows, threshold);
  const oracle = performanceAt(rows, 0 - 1e-9);
  const boot = bootstrapProfile(rows, [threshold], { resamples: 1000, seed, level: LEVEL });
  const acc = columnAt(boot, boot.accuracy, 0);
  const diff = acc.map((a, b) => a - boot.oracleAccuracy[b]);
  let notBelow = 0;
  diff.forEach((d) => {
    if (d >= -1e-12) notBelow++;
  });
  return {
    point,
    diff: point.accuracy - oracle.accuracy,
    diffInterval: percentileInterval(diff, LEVEL),
    savingInterval: percentileInterval(columnAt(boot, boot.costSaving, 0), LEVEL),
    shareNotBelow: notBelow / boot.resamples,
  };
}

const summary: string[] = [];
for (const run of RUNS) {
  const settings = JSON.parse(readFileSync(join(run, "run.json"), "utf8")) as {
    benchmark: string;
    recordedFile: string;
    crowd: string[];
    oracle: string;
    holdout: number;
  };
  const traces = [...readTraces(join(run, "train_traces.jsonl")), ...readTraces(join(run, "traces.jsonl"))];
  const byId = new Map(traces.map((t) => [t.id, t]));
  const store = RecordedOutputs.load(settings.recordedFile, { strict: false, onWarning: () => undefined });
  const ids = itemsAnsweredByAll(getRecordedItems(store), [...settings.crowd, settings.oracle])
    .map((item) => item.id)
    .filter((id) => byId.has(id));
  console.log(
    `\n### ${settings.benchmark} (${run}): ${ids.length} items, holdout ${settings.holdout}, seeds ${SEEDS.join(",")}\n`,
  );
  console.log(
    "| seed | presets chosen | preset | t | holdout accuracy | Oracle | accuracy - Oracle [90%] | saving [90%] | resamples >= Oracle |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|");
  const tally: Record<string, { savings: number[]; atOracle: number; diffs: number[] }> = {};
  const calibrationRows: string[] = [];
  const eceSums: Record<string, number[]> = { raw: [], isotonic: [], platt: [] };
  for (const seed of SEEDS) {
    const split = splitHoldout(ids, settings.holdout, seed);
    const train = split.train.map((id) => byId.get(id)!);
    const holdout = split.holdout.map((id) => byId.get(id)!);
    const holdoutValues = holdout.map((t) => t.features.map((v) => (v === null ? Number.NaN : v)));
    const crowdWrong = holdout.map((t) => (t.crowdCorrect ? 0 : 1));
    {
      const iso = trainRouter({ traces: train, seed }).router;
      const platt = trainRouter({ traces: train, seed, pFailCalibration: "platt" }).router;
      const cells: string[] = [];
      for (const [name, p] of [
        ["raw", holdoutValues.map((v) => iso.predictRaw(v))],
        ["isotonic", Array.from(iso.predictBatch(holdoutValues))],
        ["platt", Array.from(platt.predictBatch(holdoutValues))],
      ] as const) {
        const r = reliabilityReport(p, crowdWrong);
        eceSums[name].push(r.ece);
        cells.push(`${r.ece.toFixed(3)} / ${r.brier.toFixed(3)} / ${rocAuc(p, crowdWrong).toFixed(3)}`);
      }
      calibrationRows.push(`| ${seed} | ${cells.join(" | ")} |`);
    }
    for (const [label, specs] of [
      ["bootstrap 90%", DEFAULT_PRESET_SPECS],
      ["point estimate", POINT_SPECS],
    ] as const) {
      const { router } = trainRouter({ traces: train, seed, presetSpecs: specs as Record<PresetName, PresetSpec> });
      const pFail = router.predictBatch(holdoutValues);
      const rows = holdout.map((t, i) => gradedOf(t, pFail[i]));
      const oracleAcc = performanceAt(rows, -1).accuracy;
      for (const name of PRESET_NAMES) {
        const t = router.presets![name];
        const s = scoreAt(rows, t, seed);
        console.log(
          `| ${seed} | ${label} | ${name} | ${t.toFixed(3)} | ${pct(s.point.accuracy)} | ${pct(oracleAcc)} | ${pp(s.diff)} [${pp(s.diffInterval[0])}, ${pp(s.diffInterval[1])}] | ${pct(s.point.costSaving)} [${pct(s.savingInterval[0])}, ${pct(s.savingInterval[1])}] | ${pct(s.shareNotBelow)}% |`,
        );
        const key = `${label} / ${name}`;
        tally[key] ??= { savings: [], atOracle: 0, diffs: [] };
        tally[key].savings.push(s.point.costSaving);
        tally[key].diffs.push(s.diff);
        if (s.diff >= -1e-12) tally[key].atOracle++;
      }
      if (label === "bootstrap 90%") {
        // Hindsight: the cheapest threshold at or above the Oracle on the holdout itself.
        const best = candidateThresholds(rows)
          .map((t) => performanceAt(rows, t))
          .filter((p) => p.accuracy >= oracleAcc - 1e-12)
          .reduce((a, b) => (b.meanCost < a.meanCost ? b : a));
        console.log(
          `| ${seed} | hindsight | frontier at >= Oracle | ${best.threshold.toFixed(3)} | ${pct(best.accuracy)} | ${pct(oracleAcc)} | ${pp(best.accuracy - oracleAcc)} | ${pct(best.costSaving)} | |`,
        );
        const key = "hindsight / frontier";
        tally[key] ??= { savings: [], atOracle: 0, diffs: [] };
        tally[key].savings.push(best.costSaving);
        tally[key].diffs.push(best.accuracy - oracleAcc);
        tally[key].atOracle++;
      }
    }
  }
  const meanOf = (xs: number[]): string => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3);
  console.log(
    [
      `\n${settings.benchmark}: P_fail on the holdout part, ECE / Brier / AUC`,
      "",
      "| seed | raw model output | isotonic (default) | Platt |",
      "|---|---|---|---|",
      ...calibrationRows,
      `| mean ECE | ${meanOf(eceSums.raw)} | ${meanOf(eceSums.isotonic)} | ${meanOf(eceSums.platt)} |`,
    ].join("\n"),
  );
  summary.push(
    `\n### ${settings.benchmark}: mean over seeds ${SEEDS.join(",")}\n`,
    "| presets | preset | mean accuracy - Oracle | mean saving | seeds at or above the Oracle |",
    "|---|---|---|---|---|",
  );
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const [key, v] of Object.entries(tally)) {
    const [label, name] = key.split(" / ");
    summary.push(
      `| ${label} | ${name} | ${pp(mean(v.diffs))} pp | ${pct(mean(v.savings))}% | ${v.atOracle} of ${SEEDS.length} |`,
    );
  }
}
console.log(summary.join("\n"));
