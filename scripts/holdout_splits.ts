/**
 * Helpers of the scripts that score routers on random train/holdout splits of a run's traces
 * (`code_behaviour_check.ts`, `learning_curve.ts`).
 */
import type { EvalTraceLine } from "../src/core/trace_schema.js";
import { tracesToDataset } from "../src/router/train/dataset.js";
import { rocAuc } from "../src/router/train/metrics.js";
import { trainRouter } from "../src/router/train/train_router.js";
import { seededRandom } from "../src/utils/random.js";

/** AUC on `test` of a router trained on `train` with `seed`. */
export function holdoutAuc(train: readonly EvalTraceLine[], test: readonly EvalTraceLine[], seed: number): number {
  const data = tracesToDataset(test);
  const rows = Array.from({ length: data.matrix.rows }, (_, i) =>
    data.matrix.data.subarray(i * data.matrix.cols, (i + 1) * data.matrix.cols),
  );
  return rocAuc(trainRouter({ traces: train, seed }).router.predictBatch(rows), data.labels);
}

/** A seeded random 70/30 split of `traces` (training part first). */
export function randomSplit<T>(traces: readonly T[], seed: number): { train: T[]; test: T[] } {
  const random = seededRandom(seed);
  const order = traces
    .map((_, i) => [random(), i] as const)
    .sort((a, b) => a[0] - b[0])
    .map(([, i]) => traces[i]);
  const cut = Math.round(traces.length * 0.7);
  return { train: order.slice(0, cut), test: order.slice(cut) };
}

/** Mean of `xs`. */
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** `+0.012 (standard error 0.004)`: the mean of paired differences and its standard error. */
export function pairedDifference(diffs: readonly number[]): string {
  const m = mean(diffs);
  const sd = Math.sqrt(mean(diffs.map((d) => (d - m) ** 2)));
  return `${m >= 0 ? "+" : ""}${m.toFixed(3)} (standard error ${(sd / Math.sqrt(diffs.length)).toFixed(3)})`;
}
