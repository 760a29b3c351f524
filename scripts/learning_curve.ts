/**
 * Whether a router gains from more labelled queries: over 12 random 70/30 splits of a run's traces (training and
 * holdout parts together), a router trained on the 70% and one trained on a 70% subsample of it (49% of the items)
 * are scored by AUC on the same 30%; prints the means, the paired difference with its standard error, and the
 * number of splits where the larger training set won. Needs libxgboost and the runs' outputs:
 *
 *   npm run demo && npx tsx src/cli/bin.ts eval --benchmark mbpp --train --out results/mbpp
 *   npx tsx scripts/learning_curve.ts [results/gsm8k results/mbpp]
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { EvalTraceLine } from "../src/core/trace_schema.js";
import { readTraces, tracesToDataset } from "../src/router/train/dataset.js";
import { rocAuc } from "../src/router/train/metrics.js";
import { trainRouter } from "../src/router/train/train_router.js";
import { seededRandom } from "../src/utils/random.js";

const SPLITS = 12;

/** AUC on `test` of a router trained on `train`. */
function holdoutAuc(train: readonly EvalTraceLine[], test: readonly EvalTraceLine[], seed: number): number {
  const data = tracesToDataset(test);
  const rows = Array.from({ length: data.matrix.rows }, (_, i) =>
    data.matrix.data.subarray(i * data.matrix.cols, (i + 1) * data.matrix.cols),
  );
  return rocAuc(trainRouter({ traces: train, seed }).router.predictBatch(rows), data.labels);
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

const runs = process.argv.slice(2);
for (const run of runs.length > 0 ? runs : ["results/gsm8k", "results/mbpp"]) {
  const holdoutFile = join(run, "traces.jsonl");
  const traces = [
    ...readTraces(join(run, "train_traces.jsonl")),
    ...(existsSync(holdoutFile) ? readTraces(holdoutFile) : []),
  ];
  const small: number[] = [];
  const large: number[] = [];
  for (let split = 1; split <= SPLITS; split++) {
    const random = seededRandom(500 + split);
    const order = traces
      .map((_, i) => [random(), i] as const)
      .sort((a, b) => a[0] - b[0])
      .map(([, i]) => traces[i]);
    const cut = Math.round(traces.length * 0.7);
    const train = order.slice(0, cut);
    const test = order.slice(cut);
    large.push(holdoutAuc(train, test, split));
    small.push(holdoutAuc(train.slice(0, Math.round(cut * 0.7)), test, split));
  }
  const diffs = large.map((x, i) => x - small[i]);
  const sd = Math.sqrt(mean(diffs.map((d) => (d - mean(diffs)) ** 2)));
  console.log(
    `${run} (${traces.length} items): holdout AUC ${mean(small).toFixed(3)} trained on 49%, ${mean(large).toFixed(3)} on 70%; ` +
      `difference ${mean(diffs) >= 0 ? "+" : ""}${mean(diffs).toFixed(3)} (standard error ${(sd / Math.sqrt(SPLITS)).toFixed(3)}), ` +
      `larger set higher in ${diffs.filter((d) => d > 0).length} of ${SPLITS} splits`,
  );
}
