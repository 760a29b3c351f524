/**
 * Trains the per-boundary routers shipped in `routers/deep/<name>/boundary-<k>.json` for the three-tier GSM8K pyramid
 * (crowd Llama-3.1-8B, gemma-2-9b, Qwen2-7B -> Llama-3.1-70B -> Llama-3.1-405B, priced by parameter count) on every
 * development item (`$PYRAMID_DATA_DIR/recorded/gsm8k.jsonl` and `gsm8k-405b.jsonl`), with joint presets.
 * `pyramid-moa eval --tiers deep` (GSM8K, or MATH level 5 zero-shot) and the config file pick them up when the members
 * match. The docs' holdout figures come from `pyramid-moa eval --tiers deep --train`, which trains its own routers on
 * the training part, never from these; `routers/holdout/deep/<name>/` keeps that run's routers.
 *
 *   npx tsx scripts/train_deep_routers.ts
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { SHIPPED_DEEP_ROUTERS } from "../src/eval/deep/experiments.js";
import { runDeepEvaluation } from "../src/eval/deep/run_deep.js";
import { saveRouterBundle } from "../src/router/bundle.js";
import { trainBoundaryRouters } from "../src/router/train/train_boundaries.js";

async function main(): Promise<void> {
  const { name } = SHIPPED_DEEP_ROUTERS[0];
  const outDir = join("results", "shipped-deep-gsm8k");
  rmSync(outDir, { recursive: true, force: true });
  const run = await runDeepEvaluation({ benchmark: "gsm8k", train: true, holdout: 0.3, seed: 1, outDir });
  const holdoutDir = join("routers", "holdout", "deep", name);
  mkdirSync(holdoutDir, { recursive: true });
  run.routerFiles.forEach((file, k) => {
    copyFileSync(file, join(holdoutDir, `boundary-${k}.json`));
  });
  const all = [...run.trainTraces, ...run.traces];
  const trained = trainBoundaryRouters({ traces: all, seed: 1, dataset: `gsm8k, all ${all.length} development items` });
  const dir = join("routers", "deep", name);
  mkdirSync(dir, { recursive: true });
  trained.bundles.forEach((bundle, k) => {
    saveRouterBundle(join(dir, `boundary-${k}.json`), bundle);
    console.log(
      `${join(dir, `boundary-${k}.json`)}: out-of-fold AUC ${Number(bundle.metadata.validation.auc).toFixed(3)}; joint presets ${JSON.stringify(bundle.presets)}`,
    );
  });
  for (const [preset, report] of Object.entries(trained.joint.reports)) {
    console.log(
      `${preset}: t=${report.thresholds.map((t) => t.toFixed(3)).join("/")}, out-of-fold accuracy ${(100 * report.accuracy).toFixed(2)}% (apex ${(100 * trained.joint.apexAccuracy).toFixed(2)}%), saving ${(100 * report.costSaving).toFixed(1)}%`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
