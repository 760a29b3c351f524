/**
 * Trains the routers shipped in `routers/` on the recorded outputs (`$PYRAMID_DATA_DIR/recorded`):
 *
 * - `routers/<name>.json`, the routers for users: trained on every development item (features from the same
 *   `pyramid-moa eval --train` run; holdout 0.3, seed 1), since more labelled queries give a better router (GSM8K:
 *   holdout AUC +0.04 from 49% to 70% of the items, `npx tsx scripts/learning_curve.ts`). The README's holdout
 *   figures come from `pyramid-moa eval --train`, which trains its own router on the training part, never from these.
 * - `routers/holdout/<name>.json`: the router of that run, trained on the training part only; `pyramid-moa eval
 *   --train` uses it in place of retraining when libxgboost is missing, so that the demo's holdout stays unseen.
 *
 *   npx tsx scripts/train_shipped_routers.ts
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DEFAULT_EXPERIMENTS, runEvaluation } from "../src/eval/run/run_eval.js";
import { saveRouterBundle } from "../src/router/bundle.js";
import { trainRouter } from "../src/router/train/train_router.js";

const SHIPPED = ["gsm8k", "mbpp"] as const;

async function main(): Promise<void> {
  mkdirSync(join("routers", "holdout"), { recursive: true });
  for (const benchmark of SHIPPED) {
    const { crowd, oracle, shippedRouter, holdoutRouter } = DEFAULT_EXPERIMENTS[benchmark];
    if (!shippedRouter || !holdoutRouter) throw new Error(`${benchmark}: no shipped router file names`);
    const outDir = join("results", `shipped-${benchmark}`);
    rmSync(outDir, { recursive: true, force: true });
    const run = await runEvaluation({ benchmark, train: true, holdout: 0.3, seed: 1, outDir });
    copyFileSync(join(outDir, "router.json"), join("routers", holdoutRouter));
    const all = [...run.trainTraces, ...run.traces];
    const { bundle } = trainRouter({
      traces: all,
      seed: 1,
      dataset: `${benchmark} (${crowd.join(", ")} -> ${oracle}), all ${all.length} development items`,
    });
    saveRouterBundle(join("routers", shippedRouter), bundle);
    console.log(
      `routers/${holdoutRouter}: trained on ${run.trainTraces.length} ${benchmark} queries (training part); out-of-fold AUC ${run.bundle?.metadata.validation.auc?.toFixed(3)}`,
    );
    console.log(
      `routers/${shippedRouter}: trained on all ${all.length} ${benchmark} queries; out-of-fold AUC ${Number(bundle.metadata.validation.auc).toFixed(3)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
