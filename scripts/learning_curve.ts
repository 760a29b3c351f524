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
import { readTraces } from "../src/router/train/dataset.js";
import { holdoutAuc, mean, pairedDifference, randomSplit } from "./holdout_splits.js";

const SPLITS = 12;

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
    const { train, test } = randomSplit(traces, 500 + split);
    large.push(holdoutAuc(train, test, split));
    small.push(holdoutAuc(train.slice(0, Math.round(train.length * 0.7)), test, split));
  }
  const diffs = large.map((x, i) => x - small[i]);
  console.log(
    `${run} (${traces.length} items): holdout AUC ${mean(small).toFixed(3)} trained on 49%, ${mean(large).toFixed(3)} on 70%; ` +
      `difference ${pairedDifference(diffs)}, larger set higher in ${diffs.filter((d) => d > 0).length} of ${SPLITS} splits`,
  );
}
