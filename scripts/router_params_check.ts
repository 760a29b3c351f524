/**
 * Compares `trainRouter`'s default XGBoost parameters with XGBoost's usual ones (depth 3, min_child_weight 1, eta 0.1)
 * on the training traces of the two recorded runs: out-of-fold AUC of the 5-fold cross-validation (training part only)
 * and AUC on the holdout traces, for seeds 1-5. Needs libxgboost and the runs' outputs:
 *
 *   npm run demo && npx tsx src/cli/bin.ts eval --benchmark mbpp --train --out results/mbpp
 *   npx tsx scripts/router_params_check.ts
 */
import { join } from "node:path";
import { readTraces, tracesToDataset } from "../src/router/train/dataset.js";
import { rocAuc } from "../src/router/train/metrics.js";
import { trainRouter } from "../src/router/train/train_router.js";

const CANDIDATES: Record<string, Record<string, number>> = {
  "defaults (depth 2, min_child_weight 10, eta 0.05)": {},
  "XGBoost's usual (depth 3, min_child_weight 1, eta 0.1)": { max_depth: 3, min_child_weight: 1, eta: 0.1 },
};
const SEEDS = [1, 2, 3, 4, 5];
const mean = (xs: number[]): string => (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(3);

const rows = [
  "| run | parameters | out-of-fold AUC (train part), mean of 5 seeds | holdout AUC, mean of 5 seeds |",
  "|---|---|---|---|",
];
for (const run of ["results/gsm8k", "results/mbpp"]) {
  const train = readTraces(join(run, "train_traces.jsonl"));
  const { matrix, labels } = tracesToDataset(readTraces(join(run, "traces.jsonl")));
  const holdoutRows = Array.from({ length: matrix.rows }, (_, i) =>
    matrix.data.subarray(i * matrix.cols, (i + 1) * matrix.cols),
  );
  for (const [name, params] of Object.entries(CANDIDATES)) {
    const oof: number[] = [];
    const held: number[] = [];
    for (const seed of SEEDS) {
      const { bundle, router } = trainRouter({ traces: train, params, seed });
      oof.push(Number(bundle.metadata.validation.auc));
      held.push(rocAuc(router.predictBatch(holdoutRows), labels));
    }
    rows.push(`| ${run} | ${name} | ${mean(oof)} | ${mean(held)} |`);
  }
}
console.log(rows.join("\n"));
