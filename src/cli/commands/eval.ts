import { PyramidConfigError } from "../../errors/index.js";
import { runEvaluation } from "../../eval/run/run_eval.js";
import { writeEvaluationReport } from "../../eval/report.js";
import { parseCommandArgs } from "../args.js";
import { parseAnswerTask } from "../../answers/task_text.js";
import { EVAL_BENCHMARKS } from "../../eval/run/benchmark_graders.js";
import { evalOutputLines } from "../eval_output.js";
import type { CliCommand } from "../main.js";
import { parseTiersFlag } from "../eval_deep.js";
import { runDeepCommand } from "../eval_deep_command.js";
import { EVAL_OPTIONS } from "../eval_options.js";
import { optionsHelp } from "../options.js";
import { crowdScheduleSchema } from "../../graph/schedule/schedule.js";
import type { CrowdSchedule } from "../../graph/schedule/schedule.js";
import { LatencyModel } from "../../eval/schedule/latency_model.js";
import { writeScheduleReport } from "../../eval/schedule/run.js";

/** `--schedule` and `--latency-model`, checked: the schedule to replay and its latency model (none without `--schedule`). */
function scheduleFlags(
  schedule: string | undefined,
  latencyModel: string | undefined,
  similarity: string | undefined,
): { schedule: CrowdSchedule; latency: LatencyModel } | undefined {
  if (schedule === undefined) {
    if (latencyModel !== undefined) {
      throw new PyramidConfigError("--latency-model without --schedule", {
        field: "--latency-model",
        fix: "add --schedule parallel|anytime|waves",
      });
    }
    return undefined;
  }
  const parsed = crowdScheduleSchema.safeParse(schedule);
  if (!parsed.success) {
    throw new PyramidConfigError(`unknown schedule "${schedule}"`, {
      field: "--schedule",
      fix: "use parallel, anytime or waves",
    });
  }
  if (similarity === "lexical") {
    throw new PyramidConfigError("--schedule does not replay answers voted by meaning", {
      field: "--schedule",
      fix: "leave out --similarity lexical (the schedules wait for every member then)",
    });
  }
  return { schedule: parsed.data, latency: latencyModel ? LatencyModel.fromFile(latencyModel) : new LatencyModel() };
}

const USAGE = `Usage: pyramid-moa eval --benchmark <${EVAL_BENCHMARKS.join("|")}> --out <dir> [options]

Runs the real pyramid graph over replayed recorded model outputs (no model calls), grades every
query, and writes to <dir>: traces.jsonl, profile.csv, profile.svg/.png, frontier.svg/.png,
reliability.svg/.png (P_fail against the observed crowd error rate), theorem1.md, summary.md and summary.json. Re-running with the same settings resumes; with --train
the router is retrained (deterministically) and the holdout part re-evaluated if the router changed.

${optionsHelp(EVAL_OPTIONS, 22)}`;

function num(value: string | undefined, flag: string, check: (n: number) => boolean, what: string): number | undefined {
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

/** `pyramid-moa eval`: evaluate the pyramid on recorded outputs and write traces, plots and tables. */
export const evalCommand: CliCommand = {
  summary: "evaluate the pyramid on recorded model outputs: traces, profile/frontier plots, Theorem 1, baselines",
  options: EVAL_OPTIONS,
  async run(argv) {
    const parsed = parseCommandArgs("eval", {
      args: [...argv],
      options: EVAL_OPTIONS,
      allowPositionals: false,
      strict: true,
    });
    const v = parsed.values;
    if (v.help) {
      console.log(USAGE);
      return 0;
    }
    if (!v.benchmark)
      throw new PyramidConfigError("missing --benchmark", { field: "--benchmark", fix: "e.g. --benchmark gsm8k" });
    if (!v.out) throw new PyramidConfigError("missing --out", { field: "--out", fix: "e.g. --out results/gsm8k" });
    if (v.train && v.router) {
      throw new PyramidConfigError("--train and --router exclude each other", {
        field: "--router",
        fix: "give one of them",
      });
    }
    if (v.policy && v.threshold) {
      throw new PyramidConfigError("--policy and --threshold exclude each other", {
        field: "--threshold",
        fix: "give one of them",
      });
    }
    if (!(EVAL_BENCHMARKS as readonly string[]).includes(v.benchmark)) {
      throw new PyramidConfigError(`unknown benchmark "${v.benchmark}"`, {
        field: "--benchmark",
        fix: `use one of ${EVAL_BENCHMARKS.join(", ")}`,
      });
    }
    if (v.grader !== undefined && v.grader.trim() === "") {
      throw new PyramidConfigError("empty --grader", {
        field: "--grader",
        fix: "use ours, reference, or a grader module path",
      });
    }
    const task = v.task === undefined ? undefined : parseAnswerTask(v.task);
    if (v.similarity !== undefined && v.similarity !== "lexical" && v.similarity !== "exact") {
      throw new PyramidConfigError(`unknown similarity "${v.similarity}"`, {
        field: "--similarity",
        fix: "use lexical or exact",
      });
    }
    const threshold = num(v.threshold, "--threshold", (n) => n >= 0 && n <= 1, "a number in [0, 1]");
    if ((v.tiers || v.config) && (v.crowd || v.oracle)) {
      throw new PyramidConfigError("--tiers and --config replace --crowd and --oracle", {
        field: "--tiers",
        fix: "give the tiers one way: --crowd/--oracle (two tiers), --tiers, or --config",
      });
    }
    const tiers = v.tiers ? parseTiersFlag(v.tiers, v.benchmark) : undefined;
    const twoTier = tiers && tiers.length === 2 && tiers[1].length === 1 && !v.config;
    const schedule = scheduleFlags(v.schedule, v["latency-model"], v.similarity);
    if (schedule && ((tiers && !twoTier) || v.config)) {
      throw new PyramidConfigError("--schedule replays two-tier pyramids", {
        field: "--schedule",
        fix: "give --crowd/--oracle (or a two-tier --tiers), or leave out --schedule",
      });
    }
    if ((tiers && !twoTier) || v.config) {
      return runDeepCommand(v, tiers, threshold);
    }
    if ((v.router?.length ?? 0) > 1) {
      throw new PyramidConfigError("--router is given once for a two-tier pyramid", {
        field: "--router",
        fix: "give one router file (several only with --tiers, one per boundary)",
      });
    }
    const run = await runEvaluation({
      benchmark: v.benchmark,
      outDir: v.out,
      recordedFiles: v.recorded,
      crowd: twoTier
        ? tiers[0]
        : v.crowd
          ? v.crowd
              .split(",")
              .map((s) => s.trim())
              .filter(Boolean)
          : undefined,
      oracle: twoTier ? tiers[1][0] : v.oracle,
      routerFile: v.router?.[0],
      allowRouterMemberMismatch: v["allow-router-member-mismatch"] ?? false,
      train: v.train ?? false,
      holdout: num(v.holdout, "--holdout", (n) => n > 0 && n < 1, "a fraction in (0, 1)"),
      seed: num(v.seed, "--seed", Number.isInteger, "an integer"),
      policy: threshold !== undefined ? { threshold } : v.policy,
      grader: v.grader,
      task,
      ...(v.similarity ? { similarity: v.similarity as "lexical" | "exact" } : {}),
      limit: num(v.limit, "--limit", (n) => Number.isInteger(n) && n > 0, "a positive integer"),
      concurrency: num(v.concurrency, "--concurrency", (n) => Number.isInteger(n) && n > 0, "a positive integer"),
      strict: v.strict ?? false,
      ...(v["no-code-behaviour"] ? { codeBehaviour: false } : {}),
      ...(v["code-claims"] ? { codeClaims: true } : {}),
      ...(v["unsafe-allow-unsandboxed-code"] ? { unsafeAllowUnsandboxedCode: true } : {}),
    });
    const part = v.train ? "holdout" : "all items";
    const { summary, diagnosis, pngSkipped } = await writeEvaluationReport(run.traces, {
      outDir: v.out,
      presets: run.bundle?.presets,
      title: `${v.benchmark.toUpperCase()} (${part})`,
      png: !v["no-png"],
      seed: num(v.seed, "--seed", Number.isInteger, "an integer") ?? 1,
    });
    const lines = evalOutputLines({
      benchmark: v.benchmark,
      outDir: v.out,
      run,
      summary,
      png: !v["no-png"] && !pngSkipped,
      pngSkipped,
      routerFile: v.router?.[0],
      diagnosis,
    });
    console.log(lines.join("\n"));
    if (schedule) {
      const { markdown } = await writeScheduleReport(
        {
          ...run.replayed,
          crowd: run.settings.crowd as string[],
          oracle: String(run.settings.oracle),
          traces: run.traces,
        },
        {
          ...schedule,
          router: run.router,
          threshold: run.traces[0]?.threshold ?? 0.5,
          presets: run.bundle?.presets,
          outDir: v.out,
          title: `${v.benchmark.toUpperCase()} (${part}): crowd schedules`,
        },
      );
      console.log(`\n${markdown}`);
    }
    return 0;
  },
};
