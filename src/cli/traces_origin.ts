import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { PyramidConfigError } from "../errors/index.js";

/**
 * Refuses the holdout traces of an `eval --train` run as training data: `<dir>/traces.jsonl` next to a `run.json`
 * saying `"train": true` holds the holdout part, on which that run's router is evaluated; training on it would
 * evaluate a router on its own training data. The error points at `<dir>/train_traces.jsonl`, the training part.
 */
export function checkTrainingTraces(tracesFile: string): void {
  const folder = dirname(tracesFile);
  const runFile = join(folder, "run.json");
  if (basename(tracesFile) !== "traces.jsonl" || !existsSync(runFile)) return;
  let train: unknown;
  try {
    train = (JSON.parse(readFileSync(runFile, "utf8")) as { train?: unknown }).train;
  } catch {
    return;
  }
  if (train !== true) return;
  throw new PyramidConfigError(
    `${tracesFile} holds the holdout part of an \`eval --train\` run (see ${runFile}): the traces its router is evaluated on, not trained on`,
    {
      field: "--traces",
      fix: `train on the training part, --traces ${join(folder, "train_traces.jsonl")}; or run \`pyramid-moa eval\` without --train to get traces of every item`,
    },
  );
}
