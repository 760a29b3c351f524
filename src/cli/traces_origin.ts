import { closeSync, existsSync, openSync, readFileSync, readSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { PyramidConfigError } from "../errors/index.js";

/**
 * Refuses the holdout traces of an `eval --train` run as training data: `<dir>/traces.jsonl` next to a `run.json`
 * saying `"train": true` holds the holdout part, on which that run's router is evaluated; training on it would
 * evaluate a router on its own training data. The error points at `<dir>/train_traces.jsonl`, the training part.
 */
export function checkTrainingTraces(tracesFile: string): void {
  checkNotProductionTraces(tracesFile);
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

const PRODUCTION_TYPES = new Set(["query", "shadow", "feedback"]);

/**
 * Refuses production traces (the `query` / `shadow` / `feedback` lines a pyramid with `traces` writes) given without
 * `--labels`: they carry no grade, so they train only with a label source, which the error names.
 */
function checkNotProductionTraces(tracesFile: string): void {
  let first: string | undefined;
  try {
    // The first line is enough (a trace file may be large): read the head only.
    const fd = openSync(tracesFile, "r");
    const head = Buffer.alloc(1 << 16);
    const read = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    first = head
      .subarray(0, read)
      .toString("utf8")
      .split("\n")
      .find((line) => line.trim().length > 0);
  } catch {
    return; // a missing or unreadable file is reported where the traces are read
  }
  let type: unknown;
  try {
    type = (JSON.parse(first ?? "") as { type?: unknown }).type;
  } catch {
    return;
  }
  if (typeof type !== "string" || !PRODUCTION_TYPES.has(type)) return;
  throw new PyramidConfigError(
    `${tracesFile} holds production traces (written by a pyramid with traces, or serve), which carry no grade`,
    {
      field: "--labels",
      fix: `train on them with a label source: pyramid-moa train --traces ${tracesFile} --labels auto (or apex, feedback) --out <router.json>`,
    },
  );
}
