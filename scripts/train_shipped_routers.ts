/**
 * Trains the routers shipped in `routers/` on the recorded outputs (`$PYRAMID_DATA_DIR/recorded`), with the same
 * train/holdout split as `pyramid-moa eval --train` (holdout 0.3, seed 1): each router is trained on the training
 * part only, so the holdout figures in the README are out-of-sample. Re-run with:
 *
 *   npx tsx scripts/train_shipped_routers.ts
 */
import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runEvaluation } from "../src/eval/run/run_eval.js";

const SHIPPED = [
  { benchmark: "gsm8k", file: "gsm8k-llama8b-gemma9b-qwen7b.json" },
  { benchmark: "mbpp", file: "mbpp-mistral7b-wizardlm13b-mixtral.json" },
] as const;

async function main(): Promise<void> {
  mkdirSync("routers", { recursive: true });
  for (const { benchmark, file } of SHIPPED) {
    const outDir = join("results", `shipped-${benchmark}`);
    rmSync(outDir, { recursive: true, force: true });
    const run = await runEvaluation({ benchmark, train: true, holdout: 0.3, seed: 1, outDir });
    copyFileSync(join(outDir, "router.json"), join("routers", file));
    const validation = run.bundle?.metadata.validation;
    console.log(
      `routers/${file}: trained on ${run.trainTraces.length} ${benchmark} queries; validation AUC ${validation?.auc?.toFixed(3)}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
