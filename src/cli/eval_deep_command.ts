import { parseAnswerTask } from "../answers/task_text.js";
import { PyramidConfigError } from "../errors/index.js";
import { writeDeepReport } from "../eval/deep/report.js";
import { runDeepEvaluation } from "../eval/deep/run_deep.js";
import type { EvalFlags } from "./eval_options.js";
import { configPyramid, deepEvalOutputLines, deepReportOptions } from "./eval_deep.js";

function count(
  value: string | undefined,
  flag: string,
  check: (n: number) => boolean,
  what: string,
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || !check(n)) {
    throw new PyramidConfigError(`expected ${what}, got "${value}"`, {
      field: flag,
      fix: "see `pyramid-moa eval --help`",
    });
  }
  return n;
}

/**
 * `pyramid-moa eval` for a pyramid of any number of tiers (`--tiers`, or `--config`): runs it, writes its report and
 * prints the summary lines. Flags override the config file's settings.
 */
export async function runDeepCommand(
  v: EvalFlags,
  tiers: string[][] | undefined,
  threshold: number | undefined,
): Promise<number> {
  const benchmark = v.benchmark ?? "";
  const outDir = v.out ?? "";
  const config = v.config ? configPyramid(v.config) : undefined;
  const seed = count(v.seed, "--seed", Number.isInteger, "an integer") ?? 1;
  const png = !v["no-png"];
  const run = await runDeepEvaluation({
    benchmark,
    outDir,
    tiers: tiers ?? config?.tiers,
    ...(config && !tiers ? { tierNames: config.tierNames } : {}),
    recordedFiles: v.recorded ?? config?.recordedFiles,
    ...(config ? { prices: config.prices } : {}),
    routerFiles: v.router ?? (v.train ? undefined : config?.routerFiles),
    allowRouterMemberMismatch: v["allow-router-member-mismatch"] ?? false,
    train: v.train ?? false,
    holdout: count(v.holdout, "--holdout", (n) => n > 0 && n < 1, "a fraction in (0, 1)"),
    seed,
    policy: threshold !== undefined ? { threshold } : (v.policy ?? config?.policy),
    grader: v.grader,
    task: (v.task === undefined ? undefined : parseAnswerTask(v.task)) ?? config?.task,
    limit: count(v.limit, "--limit", (n) => Number.isInteger(n) && n > 0, "a positive integer"),
    concurrency: count(v.concurrency, "--concurrency", (n) => Number.isInteger(n) && n > 0, "a positive integer"),
    strict: v.strict ?? false,
  });
  const part = v.train ? "holdout" : "all items";
  const { summary, pngSkipped } = await writeDeepReport(
    run.traces,
    deepReportOptions(run, outDir, `${benchmark.toUpperCase()} (${part})`, png, seed),
  );
  console.log(deepEvalOutputLines({ benchmark, outDir, run, summary, png: png && !pngSkipped, pngSkipped }).join("\n"));
  return 0;
}
