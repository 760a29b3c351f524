/**
 * Label-free router training from traffic, on replayed GSM8K (issue #16's experiment).
 *
 * 1. The development split of `pyramid-moa eval --train` (holdout 0.3, seed 1): the training part stands for a month
 *    of production traffic, the holdout part for what comes next. The gold router is the one `eval --train` trains
 *    on the training part's graded traces.
 * 2. Traffic: every training query is answered by the pyramid with the agreement router at its default threshold
 *    (0.5: escalate a three-way split), and a kept query is shadowed with probability 0.2 (seed 1). Only what
 *    production would see is written to a production trace file: the apex's answer on escalated and shadowed queries,
 *    never the gold answer.
 * 3. `trainFromTraffic` (what `pyramid-moa train --labels apex` runs) trains a router from that file.
 * 4. Both routers are scored on the holdout part (gold-graded) at the same saving: for each target saving, each
 *    router's threshold is the lowest that saves at least that much on the holdout part; accuracies with 95% bootstrap
 *    intervals (2000 resamples of the holdout queries, paired for the difference).
 * 5. Held-out AUC of crowd errors of the traffic router, of the gold router and of a router trained (`trainRouter`)
 *    on the gold labels of the same queries the traffic labelled, with a 95% paired-bootstrap interval of the traffic
 *    router's difference from the latter (issue #25's goal: within 0.02 AUC).
 *
 *   npx tsx scripts/traffic_experiment.ts [--out results/traffic-experiment] [--rate 0.2] [--oracle-accuracy 1]
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { EvalTraceLine } from "../src/core/trace_schema.js";
import { runEvaluation } from "../src/eval/run/run_eval.js";
import { thresholdForCostSaving, performanceAt } from "../src/policy/calibrate.js";
import type { GradedPrediction } from "../src/policy/calibrate.js";
import { routerFromBundle } from "../src/router/bundle.js";
import type { Router } from "../src/router/types.js";
import { TraceWriter } from "../src/traces/writer.js";
import { trainFromTraffic } from "../src/traces/train/train_traffic.js";
import { seededRandom } from "../src/utils/random.js";
import { rocAuc } from "../src/router/train/metrics.js";
import { trainRouter } from "../src/router/train/train_router.js";

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    rate: { type: "string" },
    "oracle-accuracy": { type: "string" },
    seed: { type: "string" },
  },
});
const outDir = values.out ?? join("results", "traffic-experiment");
const rate = Number(values.rate ?? 0.2);
const oracleAccuracy = Number(values["oracle-accuracy"] ?? 1);
const seed = Number(values.seed ?? 1);
const DEPLOYED_THRESHOLD = 0.5;

function features(trace: EvalTraceLine): number[] {
  return trace.features.map((v) => (v === null ? Number.NaN : v));
}

/** Writes the training part as production traffic: what the pyramid with the agreement rule and shadowing would log. */
function writeTraffic(traces: readonly EvalTraceLine[], file: string): { escalated: number; shadowed: number } {
  rmSync(file, { force: true });
  const writer = new TraceWriter({ path: file });
  const draw = seededRandom(seed);
  const start = Date.parse("2026-11-01T00:00:00Z");
  let escalated = 0;
  let shadowed = 0;
  traces.forEach((t, i) => {
    const share = t.features[t.featureNames.indexOf("vote_share")];
    const pFail = share === null ? 1 : 1 - share;
    const up = pFail > DEPLOYED_THRESHOLD;
    const shadow = !up && draw() < rate;
    const time = new Date(start + i * 3_600_000).toISOString();
    const id = `q_${String(i).padStart(5, "0")}`;
    writer.append({
      type: "query",
      id,
      time,
      featureNames: t.featureNames,
      features: t.features,
      candidates: t.candidates.map((c) => ({
        model: c.model,
        tier: 0,
        answer: c.answer,
        costUsd: c.costUsd ?? 0,
        latencyMs: 0,
      })),
      crowdAnswer: t.crowdAnswer,
      apexAnswer: up ? (t.oracleAnswer ?? null) : null,
      pFail,
      threshold: DEPLOYED_THRESHOLD,
      escalated: up,
      reachedApex: up,
      tier: up ? 1 : 0,
      decisions: [{ tier: 0, pFail, threshold: DEPLOYED_THRESHOLD, escalated: up }],
      finalAnswer: up ? (t.oracleAnswer ?? null) : t.crowdAnswer,
      cost: {
        crowd: t.cost.crowd,
        oracle: up ? t.cost.oracle : 0,
        total: t.cost.crowd + (up ? t.cost.oracle : 0),
        oracleOnly: t.cost.oracleOnly,
      },
      latencyMs: 0,
      shadowScheduled: shadow,
      shadowRate: rate,
      task: "math",
    });
    if (up) escalated++;
    if (shadow) {
      shadowed++;
      const apex = t.oracleAnswer ?? null;
      writer.append({
        type: "shadow",
        id,
        time,
        apexAnswer: apex,
        agrees: apex === null ? null : t.crowdAnswer === apex,
        costUsd: t.cost.oracle,
        latencyMs: 0,
      });
    }
  });
  writer.close();
  return { escalated, shadowed };
}

function graded(router: Router, traces: readonly EvalTraceLine[]): GradedPrediction[] {
  return traces.map((t) => ({
    pFail: router.predict({ names: t.featureNames, values: features(t) }),
    crowdCorrect: t.crowdCorrect,
    oracleCorrect: t.oracleCorrect ?? false,
    crowdCost: t.cost.crowd,
    oracleCost: t.cost.oracle,
    oracleOnlyCost: t.cost.oracleOnly,
  }));
}

function correctAt(rows: readonly GradedPrediction[], threshold: number): boolean[] {
  return rows.map((r) => (r.pFail > threshold ? r.oracleCorrect : r.crowdCorrect));
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))))];
}

/** Bootstrap 95% intervals of two accuracies and of their paired difference. */
function bootstrap(
  a: readonly boolean[],
  b: readonly boolean[],
  resamples = 2000,
): { a: [number, number]; b: [number, number]; diff: [number, number] } {
  const random = seededRandom(12345);
  const n = a.length;
  const as: number[] = [];
  const bs: number[] = [];
  const ds: number[] = [];
  for (let r = 0; r < resamples; r++) {
    let ka = 0;
    let kb = 0;
    for (let i = 0; i < n; i++) {
      const j = Math.floor(random() * n);
      if (a[j]) ka++;
      if (b[j]) kb++;
    }
    as.push(ka / n);
    bs.push(kb / n);
    ds.push((ka - kb) / n);
  }
  const ci = (xs: number[]): [number, number] => {
    const s = [...xs].sort((x, y) => x - y);
    return [quantile(s, 0.025), quantile(s, 0.975)];
  };
  return { a: ci(as), b: ci(bs), diff: ci(ds) };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** AUC of crowd errors of `a` and `b` on the same rows, and a 95% paired-bootstrap interval of a - b. */
function aucDifference(
  a: readonly GradedPrediction[],
  b: readonly GradedPrediction[],
  resamples = 2000,
): { a: number; b: number; diff: [number, number] } {
  const labels = a.map((r) => (r.crowdCorrect ? 0 : 1));
  const auc = (rows: readonly GradedPrediction[], idx: readonly number[]): number =>
    rocAuc(
      idx.map((i) => rows[i].pFail),
      idx.map((i) => labels[i]),
    );
  const all = a.map((_, i) => i);
  const random = seededRandom(54321);
  const ds: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const idx = all.map(() => Math.floor(random() * all.length));
    const d = auc(a, idx) - auc(b, idx);
    if (Number.isFinite(d)) ds.push(d);
  }
  ds.sort((x, y) => x - y);
  return { a: auc(a, all), b: auc(b, all), diff: [quantile(ds, 0.025), quantile(ds, 0.975)] };
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const run = await runEvaluation({
    benchmark: "gsm8k",
    train: true,
    holdout: 0.3,
    seed: 1,
    outDir: join(outDir, "eval"),
  });
  if (!run.bundle) throw new Error("eval --train produced no router");
  const gold = routerFromBundle(run.bundle);
  const trafficFile = join(outDir, "traffic.jsonl");
  const { escalated, shadowed } = writeTraffic(run.trainTraces, trafficFile);
  // force: the comparison is made even when `train` would refuse (the table says whether it would).
  const trained = trainFromTraffic({ tracesFile: trafficFile, labels: "apex", oracleAccuracy, seed: 1, force: true });
  writeFileSync(join(outDir, "router-from-traffic.json"), `${JSON.stringify(trained.bundle)}\n`);
  const holdout = run.traces;
  const goldRows = graded(gold, holdout);
  const trafficRows = graded(trained.router, holdout);
  // The same queries the traffic labelled (ids q_<index in the training part>), with their gold labels.
  const labelled = new Set(trained.sample.rows.map((r) => Number(r.record.query.id.slice(2))));
  const sameQueries = run.trainTraces.filter((_, i) => labelled.has(i));
  const goldSameRows = graded(trainRouter({ traces: sameQueries, seed: 1 }).router, holdout);
  const aucs = aucDifference(trafficRows, goldSameRows);
  const goldAuc = aucDifference(goldRows, goldSameRows).a;
  const goldBalanced = performanceAt(goldRows, run.bundle.presets.balanced);
  const targets = [
    ...new Set([0.3, 0.4, 0.5, goldBalanced.costSaving, 0.6].map((x) => Math.round(x * 1000) / 1000)),
  ].sort();
  const lines = [
    `# Router from traffic vs gold router (GSM8K, replayed; \`npx tsx scripts/traffic_experiment.ts\`)`,
    "",
    `Training part: ${run.trainTraces.length} queries as traffic (agreement rule at threshold ${DEPLOYED_THRESHOLD}: ${escalated} escalated; shadow rate ${rate}: ${shadowed} of the ${run.trainTraces.length - escalated} kept shadowed); ${trained.sample.rows.length} labelled by the apex, no gold; P_oracle assumed ${oracleAccuracy}.`,
    `Weighted out-of-fold AUC on the traffic labels: router ${trained.auc.router.toFixed(3)}, agreement rule ${trained.auc.agreement.toFixed(3)}; paired on the same folds ${trained.comparison.difference.toFixed(3)} (${(100 * trained.comparison.level).toFixed(0)}% interval ${trained.comparison.lower.toFixed(3)} to ${trained.comparison.upper.toFixed(3)})${trained.comparison.upper < 0 ? " (`pyramid-moa train` would refuse this router: worse with confidence; compared here with force)" : ", so `pyramid-moa train` keeps it"}. Holdout: ${holdout.length} queries, gold-graded.`,
    `Held-out AUC of crowd errors: traffic router ${aucs.a.toFixed(3)}; router trained on the gold labels of the same ${sameQueries.length} queries ${aucs.b.toFixed(3)}; difference ${(aucs.a - aucs.b).toFixed(3)} (95% paired bootstrap ${aucs.diff[0].toFixed(3)} to ${aucs.diff[1].toFixed(3)}); gold router on all ${run.trainTraces.length} queries ${goldAuc.toFixed(3)}.`,
    "",
    "| target saving | gold router: saving | accuracy (95% CI) | traffic router: saving | accuracy (95% CI) | difference traffic - gold (95% CI) |",
    "|---:|---:|---|---:|---|---|",
  ];
  const summary: Record<string, unknown>[] = [];
  for (const target of targets) {
    const g = thresholdForCostSaving(goldRows, target);
    const t = thresholdForCostSaving(trafficRows, target);
    const gc = correctAt(goldRows, g.threshold);
    const tc = correctAt(trafficRows, t.threshold);
    const ci = bootstrap(tc, gc);
    lines.push(
      `| ${pct(target)} | ${pct(g.point.costSaving)} | ${pct(g.point.accuracy)} (${pct(ci.b[0])}-${pct(ci.b[1])}) | ${pct(t.point.costSaving)} | ${pct(t.point.accuracy)} (${pct(ci.a[0])}-${pct(ci.a[1])}) | ${(100 * (t.point.accuracy - g.point.accuracy)).toFixed(1)} pts (${(100 * ci.diff[0]).toFixed(1)} to ${(100 * ci.diff[1]).toFixed(1)}) |`,
    );
    summary.push({ target, gold: g.point, traffic: t.point, ci });
  }
  const oracleAlone = goldRows.filter((r) => r.oracleCorrect).length / goldRows.length;
  const crowdAlone = goldRows.filter((r) => r.crowdCorrect).length / goldRows.length;
  lines.push("", `Holdout reference: apex alone ${pct(oracleAlone)}, crowd majority alone ${pct(crowdAlone)}.`);
  const text = `${lines.join("\n")}\n`;
  writeFileSync(join(outDir, "comparison.md"), text);
  writeFileSync(
    join(outDir, "comparison.json"),
    `${JSON.stringify({ rate, oracleAccuracy, escalated, shadowed, labelled: trained.sample.rows.length, auc: trained.auc, holdoutAuc: { traffic: aucs.a, goldSameQueries: aucs.b, difference: aucs.diff, goldAll: goldAuc }, rows: summary }, null, 2)}\n`,
  );
  console.log(text);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
