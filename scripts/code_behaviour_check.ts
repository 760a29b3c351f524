/**
 * Whether the code behavioural agreement features (`behaviour_*`) earn their place, on the traces of MBPP
 * evaluation runs (labels: the run's grader, i.e. this library's MBPP grader unless the run used `--grader reference`):
 *
 * - out-of-fold AUC of `trainRouter`'s 5-fold cross-validation, mean and [min, max] over seeds 1-5, with all
 *   features and with the `behaviour_*` columns dropped (same traces, same labels), on the training part (the traces
 *   the shipped router and its presets are fitted on) and on all items (training + holdout traces); for the training
 *   part also the AUC on the holdout traces of the router trained on the whole training part;
 * - probe coverage (items with at least one probe) and failed candidates;
 * - whether voting by behaviour clusters (the first member of the largest cluster; the usual vote when the
 *   features are NaN) raises the crowd's accuracy, with a 95% paired bootstrap interval of the difference;
 * - when the traces have the claim features (`behaviour_claims_met_<i>`, `--code-claims`): the same AUCs with them
 *   left out, and the holdout AUC over 20 random 70/30 splits of all items (a router trained on each 70%, with
 *   and without them; mean, standard error and wins of the paired difference).
 *
 *   npx tsx src/cli/bin.ts eval --benchmark mbpp --train --out results/mbpp
 *   npx tsx src/cli/bin.ts eval --benchmark mbpp --train --code-claims --out results/mbpp-claims
 *   npx tsx src/cli/bin.ts eval --benchmark mbpp --train --grader reference --out results/mbpp-reference
 *   npx tsx scripts/code_behaviour_check.ts results/mbpp results/mbpp-reference
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { EvalTraceLine } from "../src/core/trace_schema.js";
import { readTraces, tracesToDataset } from "../src/router/train/dataset.js";
import { rocAuc } from "../src/router/train/metrics.js";
import { trainRouter } from "../src/router/train/train_router.js";
import { seededRandom } from "../src/utils/random.js";
import { holdoutAuc, mean, pairedDifference, randomSplit } from "./holdout_splits.js";

const SEEDS = [1, 2, 3, 4, 5];
const isBehaviour = (name: string): boolean => name.startsWith("behaviour_");
const isClaim = (name: string): boolean => name.startsWith("behaviour_claims_met_");

/** The traces with the columns whose names pass `keep`. */
function keepColumns(traces: readonly EvalTraceLine[], keep: (name: string) => boolean): EvalTraceLine[] {
  return traces.map((t) => {
    const cols = t.featureNames.map((name, i) => (keep(name) ? i : -1)).filter((i) => i >= 0);
    return { ...t, featureNames: cols.map((i) => t.featureNames[i]), features: cols.map((i) => t.features[i]) };
  });
}

type Spread = { mean: number; min: number; max: number };
const spread = (xs: number[]): Spread => ({
  mean: xs.reduce((a, b) => a + b, 0) / xs.length,
  min: Math.min(...xs),
  max: Math.max(...xs),
});

/** Out-of-fold AUC on `traces`, and (with `holdout`) the AUC on `holdout` of the router trained on all of `traces`. */
function aucs(traces: readonly EvalTraceLine[], holdout?: readonly EvalTraceLine[]): { oof: Spread; held?: Spread } {
  const oof: number[] = [];
  const held: number[] = [];
  const test = holdout && holdout.length > 0 ? tracesToDataset(holdout) : undefined;
  const rows = test
    ? Array.from({ length: test.matrix.rows }, (_, i) =>
        test.matrix.data.subarray(i * test.matrix.cols, (i + 1) * test.matrix.cols),
      )
    : [];
  for (const seed of SEEDS) {
    const { bundle, router } = trainRouter({ traces, seed });
    oof.push(Number(bundle.metadata.validation.auc));
    if (test) held.push(rocAuc(router.predictBatch(rows), test.labels));
  }
  return { oof: spread(oof), ...(test ? { held: spread(held) } : {}) };
}

function feature(t: EvalTraceLine, name: string): number {
  const i = t.featureNames.indexOf(name);
  const v = i < 0 ? null : t.features[i];
  return v === null ? Number.NaN : v;
}

/** Correctness of the behaviour-cluster pick: the first member in the largest cluster, else the usual vote. */
function clusterPickCorrect(t: EvalTraceLine): boolean {
  for (let i = 0; i < t.candidates.length; i++) {
    if (feature(t, `behaviour_in_largest_${i}`) === 1) return t.candidates[i].correct === true;
  }
  return t.crowdCorrect;
}

/** 95% paired bootstrap interval of mean(b - a). */
function pairedInterval(a: readonly number[], b: readonly number[], seed = 1, resamples = 2000): [number, number] {
  const random = seededRandom(seed);
  const n = a.length;
  const diffs: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let sum = 0;
    for (let k = 0; k < n; k++) {
      const i = Math.floor(random() * n);
      sum += b[i] - a[i];
    }
    diffs.push(sum / n);
  }
  diffs.sort((x, y) => x - y);
  return [diffs[Math.floor(0.025 * resamples)], diffs[Math.ceil(0.975 * resamples) - 1]];
}

/**
 * Holdout AUC over 20 random 70/30 splits of `traces`, routers trained (seed = split) with all features and with
 * only those passing `without`: the paired difference's mean, standard error and wins.
 */
function repeatedSplits(traces: readonly EvalTraceLine[], without: (name: string) => boolean, splits = 20): string {
  const diffs: number[] = [];
  const withAll: number[] = [];
  for (let split = 1; split <= splits; split++) {
    const { train, test } = randomSplit(traces, 1000 + split);
    const full = holdoutAuc(train, test, split);
    const reduced = holdoutAuc(keepColumns(train, without), keepColumns(test, without), split);
    withAll.push(full);
    diffs.push(full - reduced);
  }
  return (
    `holdout AUC over ${splits} random 70/30 splits: ${mean(withAll).toFixed(3)} with the claim features, ` +
    `difference ${pairedDifference(diffs)}, higher in ${diffs.filter((d) => d > 0).length} of ${splits} splits`
  );
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
const f3 = (x: Spread): string => `${x.mean.toFixed(3)} [${x.min.toFixed(3)}, ${x.max.toFixed(3)}]`;

const runs = process.argv.slice(2);
if (runs.length === 0) runs.push("results/mbpp");
const auc = [
  "| run | traces | items | OOF AUC without behaviour | OOF AUC with behaviour | gain | holdout AUC without | holdout AUC with |",
  "|---|---|---|---|---|---|---|---|",
];
const other: string[] = [];
const claimSplits: string[] = [];
const claimRows = [
  "| run | traces | OOF AUC, behaviour without claims | with claims | gain | holdout AUC without | holdout AUC with |",
  "|---|---|---|---|---|---|---|",
];
for (const run of runs) {
  const train = readTraces(join(run, "train_traces.jsonl"));
  const holdoutFile = join(run, "traces.jsonl");
  const holdout = existsSync(holdoutFile) ? readTraces(holdoutFile) : [];
  const all = [...train, ...holdout];
  if (!train[0].featureNames.some(isBehaviour)) throw new Error(`${run}: the traces have no behaviour_* features`);
  const base = (name: string): boolean => !isBehaviour(name);
  if (train[0].featureNames.some(isClaim)) {
    for (const [part, traces] of [
      ["training part", train],
      ["all items", all],
    ] as const) {
      const test = part === "training part" ? holdout : undefined;
      const noClaim = (name: string): boolean => !isClaim(name);
      const none = aucs(keepColumns(traces, noClaim), test && keepColumns(test, noClaim));
      const full = aucs(traces, test);
      const held = (x: { held?: Spread }): string => (x.held ? f3(x.held) : "");
      const gain = full.oof.mean - none.oof.mean;
      claimRows.push(
        `| ${run} | ${part}, ${traces.length} | ${f3(none.oof)} | ${f3(full.oof)} | ${(gain >= 0 ? "+" : "") + gain.toFixed(3)} | ${held(none)} | ${held(full)} |`,
      );
    }
    claimSplits.push(`${run}: ${repeatedSplits(all, (name) => !isClaim(name))}`);
  }
  for (const [part, traces] of [
    ["training part", train],
    ["all items", all],
  ] as const) {
    const test = part === "training part" ? holdout : undefined;
    const without = aucs(keepColumns(traces, base), test && keepColumns(test, base));
    const withB = aucs(traces, test);
    const gain = withB.oof.mean - without.oof.mean;
    const held = (x: { held?: Spread }): string => (x.held ? f3(x.held) : "");
    auc.push(
      `| ${run} | ${part} | ${traces.length} | ${f3(without.oof)} | ${f3(withB.oof)} | ${(gain >= 0 ? "+" : "") + gain.toFixed(3)} | ${held(without)} | ${held(withB)} |`,
    );
  }
  const probed = all.filter((t) => feature(t, "behaviour_probes") > 0);
  const failed = probed.reduce((s, t) => s + feature(t, "behaviour_failed"), 0);
  const crowd = all.map((t) => (t.crowdCorrect ? 1 : 0));
  const byCluster = all.map((t) => (clusterPickCorrect(t) ? 1 : 0));
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  const [lo, hi] = pairedInterval(crowd, byCluster);
  const changed = all.filter((t) => clusterPickCorrect(t) !== t.crowdCorrect);
  other.push(
    `${run}: probes found in ${probed.length}/${all.length} items (${pct(probed.length / all.length)}), ` +
      `mean ${mean(probed.map((t) => feature(t, "behaviour_probes"))).toFixed(1)} probes; ${failed} of ${3 * probed.length} candidates failed to run. ` +
      `Crowd accuracy: usual vote ${pct(mean(crowd))}, behaviour-cluster vote ${pct(mean(byCluster))} ` +
      `(difference ${pct(mean(byCluster) - mean(crowd))}, 95% paired bootstrap [${pct(lo)}, ${pct(hi)}]; ` +
      `${changed.filter((t) => clusterPickCorrect(t)).length} items gained, ${changed.filter((t) => !clusterPickCorrect(t)).length} lost).`,
  );
}
console.log(auc.join("\n"));
console.log("");
console.log(other.join("\n"));
if (claimRows.length > 2) {
  console.log("");
  console.log(claimRows.join("\n"));
  console.log("");
  console.log(claimSplits.join("\n"));
}
