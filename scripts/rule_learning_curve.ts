/**
 * The learning curve of routers that start from the agreement rule, against today's routers (trees alone, no
 * monotone constraints) and the rule itself (`1 - vote_share`). Over N random 70/30 splits of a run's traces (training
 * and holdout parts together), each router is trained on the first L labelled queries of the 70% (L = 50, 100, 200,
 * 300, ... below the 70%'s size, and all) and scored on the same 30%: AUC of crowd errors, and the saving at the
 * Oracle's accuracy (the cheapest threshold whose accuracy on the 30% is at least the Oracle alone's: the frontier a
 * perfect preset would reach). Prints means and paired differences with 95% t-intervals over the splits.
 *
 * libxgboost runs on one thread (`OMP_NUM_THREADS=1` unless set): on a shared machine its OpenMP threads otherwise
 * spin against the other processes (a 20-split MBPP run had not finished after 17 minutes; with one thread, 44 s), and
 * one thread gives the same trees on every machine. Needs libxgboost and the runs' outputs:
 *
 *   npm run demo && npx tsx src/cli/bin.ts eval --benchmark mbpp --train --out results/mbpp
 *   nice -n 10 npx tsx scripts/rule_learning_curve.ts [results/gsm8k results/mbpp] [--splits 20]
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { EvalTraceLine } from "../src/core/trace_schema.js";
import { calibrationProfile, type GradedPrediction } from "../src/policy/calibrate.js";
import { readTraces, tracesToDataset } from "../src/router/train/dataset.js";
import { rocAuc } from "../src/router/train/metrics.js";
import { trainRouter } from "../src/router/train/train_router.js";
import { mean, randomSplit } from "./holdout_splits.js";

process.env.OMP_NUM_THREADS ??= "1";
const args = process.argv.slice(2);
const splitsAt = args.indexOf("--splits");
const SPLITS = splitsAt >= 0 ? Number(args[splitsAt + 1]) : 20;
const runs = args.filter((a, i) => !a.startsWith("--") && (splitsAt < 0 || i !== splitsAt + 1));
const LABELS = [50, 100, 200, 300, 400, 500, 600, Number.POSITIVE_INFINITY];
const METHODS = ["rule", "today", "from-rule"] as const;
type Method = (typeof METHODS)[number];

/** The 97.5% quantile of Student's t with `df` degrees of freedom (df >= 1), for 95% intervals. */
function t975(df: number): number {
  const table = [12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23];
  if (df <= 10) return table[df - 1];
  return df <= 20 ? 2.09 : df <= 30 ? 2.04 : 1.98;
}

/** `+0.012 [-0.003, +0.027]`: the mean of paired differences and its 95% t-interval. */
function interval(diffs: readonly number[]): string {
  const m = mean(diffs);
  const sd = Math.sqrt(diffs.reduce((s, d) => s + (d - m) ** 2, 0) / Math.max(1, diffs.length - 1));
  const h = (t975(diffs.length - 1) * sd) / Math.sqrt(diffs.length);
  const f = (x: number): string => `${x >= 0 ? "+" : ""}${x.toFixed(3)}`;
  return `${f(m)} [${f(m - h)}, ${f(m + h)}]`;
}

/** The saving of the cheapest threshold whose accuracy on `rows` is at least the Oracle alone's. */
function savingAtOracle(traces: readonly EvalTraceLine[], pFail: ArrayLike<number>): number {
  const rows: GradedPrediction[] = traces.map((t, i) => ({
    pFail: pFail[i],
    crowdCorrect: t.crowdCorrect,
    oracleCorrect: t.oracleCorrect ?? false,
    crowdCost: t.cost.crowd,
    oracleCost: t.cost.oracle,
    oracleOnlyCost: t.cost.oracleOnly,
  }));
  const oracle = rows.filter((r) => r.oracleCorrect).length / rows.length;
  let best = 0;
  for (const point of calibrationProfile(rows)) {
    if (point.accuracy >= oracle - 1e-12 && point.costSaving > best) best = point.costSaving;
  }
  return best;
}

/** The test part's feature rows, built once per split and shared by every method and label count. */
interface TestRows {
  readonly featureNames: readonly string[];
  readonly rows: readonly Float32Array[];
}

function testRows(test: readonly EvalTraceLine[]): TestRows {
  const data = tracesToDataset(test);
  const cols = data.matrix.cols;
  return {
    featureNames: data.featureNames,
    rows: Array.from({ length: data.matrix.rows }, (_, i) => data.matrix.data.subarray(i * cols, (i + 1) * cols)),
  };
}

function scores(method: Method, train: readonly EvalTraceLine[], data: TestRows, seed: number) {
  const { rows } = data;
  if (method === "rule") {
    const v = data.featureNames.indexOf("vote_share");
    return rows.map((r) => (Number.isNaN(r[v]) ? 1 : 1 - r[v]));
  }
  const fromRule = method === "from-rule";
  const { router } = trainRouter({
    traces: train,
    seed,
    startFromRule: fromRule,
    monotone: fromRule,
    bootstrap: { resamples: 50 },
  });
  return Array.from(router.predictBatch(rows));
}

for (const run of runs.length > 0 ? runs : ["results/gsm8k", "results/mbpp"]) {
  const holdoutFile = join(run, "traces.jsonl");
  const traces = [
    ...readTraces(join(run, "train_traces.jsonl")),
    ...(existsSync(holdoutFile) ? readTraces(holdoutFile) : []),
  ];
  // Label counts below the training part's size, then all of it (MBPP's 209: 50, 100, 200, all).
  const trainSize = Math.round(traces.length * 0.7);
  const labelCounts = LABELS.filter((L) => L < trainSize || !Number.isFinite(L));
  const auc = new Map<string, number[]>();
  const saving = new Map<string, number[]>();
  const failures = new Map<string, number>();
  const push = (m: Map<string, number[]>, key: string, x: number): void => {
    m.set(key, [...(m.get(key) ?? []), x]);
  };
  for (let split = 1; split <= SPLITS; split++) {
    const { train, test } = randomSplit(traces, 900 + split);
    const labels = tracesToDataset(test).labels;
    const data = testRows(test);
    for (const L of labelCounts) {
      const part = train.slice(0, Math.min(L, train.length));
      for (const method of METHODS) {
        const key = `${L}:${method}`;
        let p: number[];
        try {
          p = scores(method, part, data, split);
        } catch (error) {
          // A training set too small to cross-validate: the router is not trained, the rule is used.
          failures.set(key, (failures.get(key) ?? 0) + 1);
          if (failures.get(key) === 1) console.error(`${run} ${key}: ${String(error).slice(0, 160)}`);
          p = scores("rule", part, data, split);
        }
        push(auc, key, rocAuc(p, labels));
        push(saving, key, savingAtOracle(test, p));
      }
    }
  }
  console.log(`\n${run} (${traces.length} items, ${SPLITS} random 70/30 splits; 95% t-intervals over the splits)`);
  console.log(
    "labels | AUC rule | AUC today | AUC from-rule | from-rule - rule | from-rule - today | saving@Oracle rule | today | from-rule | from-rule - rule | from-rule - today | untrainable (today, from-rule)",
  );
  for (const L of labelCounts) {
    const a = (m: Method): number[] => auc.get(`${L}:${m}`) ?? [];
    const s = (m: Method): number[] => saving.get(`${L}:${m}`) ?? [];
    const d = (x: number[], y: number[]): number[] => x.map((v, i) => v - y[i]);
    console.log(
      [
        Number.isFinite(L) ? String(L) : "all",
        mean(a("rule")).toFixed(3),
        mean(a("today")).toFixed(3),
        mean(a("from-rule")).toFixed(3),
        interval(d(a("from-rule"), a("rule"))),
        interval(d(a("from-rule"), a("today"))),
        mean(s("rule")).toFixed(3),
        mean(s("today")).toFixed(3),
        mean(s("from-rule")).toFixed(3),
        interval(d(s("from-rule"), s("rule"))),
        interval(d(s("from-rule"), s("today"))),
        `${failures.get(`${L}:today`) ?? 0}, ${failures.get(`${L}:from-rule`) ?? 0}`,
      ].join(" | "),
    );
  }
}
