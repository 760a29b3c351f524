import { readTraces, tracesToDataset } from "./src/router/train/dataset.js";
import { rocAuc } from "./src/router/train/metrics.js";
import { trainRouter } from "./src/router/train/train_router.js";
import { seededRandom } from "./src/utils/random.js";
import type { EvalTraceLine } from "./src/core/trace_schema.js";
const dir = process.argv[2];
const all = [...readTraces(`${dir}/train_traces.jsonl`), ...readTraces(`${dir}/traces.jsonl`)];
function keep(ts: readonly EvalTraceLine[], k: (n: string) => boolean): EvalTraceLine[] {
  return ts.map((t) => {
    const c = t.featureNames.map((n, i) => (k(n) ? i : -1)).filter((i) => i >= 0);
    return { ...t, featureNames: c.map((i) => t.featureNames[i]), features: c.map((i) => t.features[i]) };
  });
}
const isClaim = (n: string) => /^behaviour_(own_)?claims/.test(n);
const variants: [string, (n: string) => boolean][] = [
  ["no claims", (n) => !isClaim(n)],
  ["own", (n) => !isClaim(n) || n.startsWith("behaviour_own")],
  ["cross", (n) => !n.startsWith("behaviour_own")],
  ["both", () => true],
];
const res: Record<string, number[]> = {};
for (let split = 1; split <= 20; split++) {
  const r = seededRandom(1000 + split);
  const idx = all
    .map((_, i) => [r(), i] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, i]) => i);
  const cut = Math.round(all.length * 0.7);
  const tr = idx.slice(0, cut).map((i) => all[i]);
  const te = idx.slice(cut).map((i) => all[i]);
  for (const [name, k] of variants) {
    const test = tracesToDataset(keep(te, k));
    const { router } = trainRouter({ traces: keep(tr, k), seed: split });
    const rows = Array.from({ length: test.matrix.rows }, (_, i) =>
      test.matrix.data.subarray(i * test.matrix.cols, (i + 1) * test.matrix.cols),
    );
    (res[name] ??= []).push(rocAuc(router.predictBatch(rows), test.labels));
  }
}
const base = res["no claims"];
for (const [name, xs] of Object.entries(res)) {
  const d = xs.map((x, i) => x - base[i]);
  const m = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
  const sd = Math.sqrt(m(d.map((x) => (x - m(d)) ** 2)));
  console.log(
    name,
    "holdout AUC mean",
    m(xs).toFixed(3),
    "diff vs no claims",
    m(d).toFixed(4),
    "+-se",
    (sd / Math.sqrt(d.length)).toFixed(4),
    "wins",
    d.filter((x) => x > 0).length,
    "/",
    d.length,
  );
}
