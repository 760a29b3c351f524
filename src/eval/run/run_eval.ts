import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { taskLabel } from "../../answers/key_forms.js";
import type { AnswerTask, TaskKind } from "../../answers/types.js";
import { MissingDependencyError, PyramidConfigError } from "../../errors/index.js";
import type { DecisionPolicy } from "../../policy/decision.js";
import { itemsAnsweredByAll, getRecordedItems, type RecordedItem } from "../../replay/items.js";
import { RecordedOutputs } from "../../replay/recorded_outputs.js";
import { AgreementRouter } from "../../router/agreement.js";
import { loadRouter, loadRouterBundle, routerFromBundle, saveRouterBundle } from "../../router/bundle.js";
import type { RouterBundle } from "../../router/bundle.js";
import { trainRouter } from "../../router/train/train_router.js";
import type { Router } from "../../router/types.js";
import { checkRouterMembers } from "../../router/member_check.js";
import { codeClaimsByDefault } from "../../graph/feature_groups.js";
import { dataDir } from "../data_dir.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import { evaluateItems } from "./evaluate_items.js";
import { EVAL_BENCHMARKS } from "./benchmark_graders.js";
import { recordedGrader } from "./graders.js";
import type { GraderChoice } from "./graders.js";
import { Progress } from "./progress.js";
import { splitItems } from "./split.js";
import { TracesFile } from "./traces_file.js";

/**
 * The built-in experiments: the paper's closest crowds and Oracles on the recorded outputs. On MBPP the members
 * are listed strongest first (by their pass rate on the training part), because three different programs are a
 * three-way tie and ties go to the member listed first; GSM8K keeps the paper's order (three-way ties are rare).
 */
export const DEFAULT_EXPERIMENTS: Readonly<
  Record<
    string,
    {
      crowd: string[];
      oracle: string;
      task: TaskKind;
      /** The router shipped for users (`routers/`): trained on every development item. */
      shippedRouter?: string;
      /** The same trained on the default training part only (`routers/holdout/`): the demo's stand-in without libxgboost. */
      holdoutRouter?: string;
      recorded?: string;
    }
  >
> = {
  gsm8k: {
    crowd: ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"],
    oracle: "Meta-Llama-3.1-70B-Instruct",
    task: "math",
    shippedRouter: "gsm8k-llama8b-gemma9b-qwen7b.json",
    holdoutRouter: "holdout/gsm8k-llama8b-gemma9b-qwen7b.json",
  },
  mbpp: {
    crowd: ["mistralai/mixtral-8x7b-chat", "WizardLM/WizardLM-13B-V1.2", "mistralai/mistral-7b-chat"],
    oracle: "gpt-4-1106-preview",
    task: "code",
    shippedRouter: "mbpp-mistral7b-wizardlm13b-mixtral.json",
    holdoutRouter: "holdout/mbpp-mistral7b-wizardlm13b-mixtral.json",
  },
  // MATH level 5: the GSM8K crowd and Oracle (all four are in both files), for zero-shot transfer of the GSM8K
  // router (`--router routers/gsm8k-...json`); no router is trained or shipped for it.
  math: {
    crowd: ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"],
    oracle: "Meta-Llama-3.1-70B-Instruct",
    task: "math-latex",
    recorded: "math-l5.jsonl",
  },
};

/** The answer extractor of each benchmark without a default experiment (`--task` overrides it). */
const BENCHMARK_TASKS: Readonly<Record<string, TaskKind>> = { mmlu: "choice", humaneval: "code", custom: "text" };

/** Options of {@link runEvaluation} (`pyramid-moa eval`). */
export interface EvaluationOptions {
  /** Benchmark: `gsm8k`, `math`, `mmlu`, `mbpp`, `humaneval` or `custom` (see `EVAL_BENCHMARKS`). */
  readonly benchmark: string;
  /** Recorded outputs file; default `<dataDir>/recorded/<benchmark>.jsonl` (`math-l5.jsonl` for `math`). */
  readonly recordedFile?: string;
  /** Several recorded files instead of `recordedFile`: a model's outputs may come from any of them. */
  readonly recordedFiles?: readonly string[];
  /** Crowd model names; default per benchmark ({@link DEFAULT_EXPERIMENTS}). */
  readonly crowd?: readonly string[];
  /** Oracle model name; default per benchmark. */
  readonly oracle?: string;
  /** Router file to evaluate (instead of training one, or of the agreement router). */
  readonly routerFile?: string;
  /** Train a router on the training part and evaluate on the holdout part. */
  readonly train?: boolean;
  /** Holdout fraction with `train` (default 0.3). */
  readonly holdout?: number;
  /** Seed of the split and of training (default 1). */
  readonly seed?: number;
  /** Policy of the evaluated pyramid; default the router's `baseline-match` preset, else `{ threshold: 0.5 }`. */
  readonly policy?: DecisionPolicy | string;
  /** Output folder. */
  readonly outDir: string;
  /** Graders: this library's (default), the recorded upstream verdicts (`reference`), or a grader module's path. */
  readonly grader?: GraderChoice;
  /** Queries evaluated at once (default 8). */
  readonly concurrency?: number;
  /** Evaluate only the first N items (quick runs). */
  readonly limit?: number;
  /** Answer extractor; default per benchmark. */
  readonly task?: AnswerTask;
  /** Free text voted by meaning (`text`, `short-answer`): `lexical` or `exact` (default: the pyramid's). */
  readonly similarity?: "lexical" | "exact";
  /** Throw on the first bad line of the recorded file (default: report it on stderr and skip it). */
  readonly strict?: boolean;
  /** Code behavioural agreement features with `task: "code"` (default true). */
  readonly codeBehaviour?: boolean;
  /** Their claim features (`codeBehaviour.claims`; default: off, unless `routerFile` was trained with them). */
  readonly codeClaims?: boolean;
  /** Evaluate `routerFile` even when it was trained for other crowd members (default: refused, naming both). */
  readonly allowRouterMemberMismatch?: boolean;
  /**
   * Grade and probe code without an OS sandbox when bubblewrap is unavailable (unsafe; default: refused at the
   * start of the run, see docs/sandbox.md).
   */
  readonly unsafeAllowUnsandboxedCode?: boolean;
}

/**
 * Where the evaluated router came from: `trained` on the training part, the `shipped` router used because libxgboost
 * or koffi is missing, a router `file` given, or the untrained `agreement` router (P_fail = 1 - vote share).
 */
export type RouterOrigin = "trained" | "shipped" | "file" | "agreement";

/** What {@link runEvaluation} produced. */
export interface EvaluationRun {
  /** Where the router came from (see `RouterOrigin`). */
  readonly routerOrigin: RouterOrigin;
  /** Why the shipped router was used instead of training one (the missing dependency's message). */
  readonly routerNote?: string;
  /** The resolved settings (also written to `run.json`). */
  readonly settings: Record<string, unknown>;
  /** Graded traces of the evaluated items (the holdout part with `train`). */
  readonly traces: EvalTraceLine[];
  /** Graded traces of the training part (with `train`). */
  readonly trainTraces: EvalTraceLine[];
  /** The trained router bundle (with `train`) or the loaded one (with `routerFile`). */
  readonly bundle?: RouterBundle;
  /** The policy the pyramid ran with. */
  readonly policy: DecisionPolicy;
  /** The router evaluated. */
  readonly router: Router;
  /** What the run replayed (for `eval --schedule`): the recordings, the evaluated items, the task. */
  readonly replayed: Readonly<{ store: RecordedOutputs; items: readonly RecordedItem[]; task: AnswerTask }>;
}

/** The folder of the routers shipped with the package (`routers/` at the package root). */
export const SHIPPED_ROUTERS_DIR = fileURLToPath(new URL("../../../routers/", import.meta.url));

/**
 * The shipped router that `trainRouter` would produce for these settings (the built-in experiment with its default
 * split, seed and grader, on the full recorded file: `routers/holdout/`, trained on the training part only, never
 * the users' router of `routers/`, which has seen the holdout part), used when libxgboost is missing so that the
 * demo still runs.
 */
function shippedRouterFor(settings: {
  benchmark: string;
  crowd: string[];
  oracle: string;
  holdout: number;
  seed: number;
  grader: string;
  limit: number | null;
  codeClaims?: boolean;
}): string | undefined {
  const experiment = DEFAULT_EXPERIMENTS[settings.benchmark];
  if (
    !experiment?.holdoutRouter ||
    settings.codeClaims === true ||
    settings.holdout !== 0.3 ||
    settings.seed !== 1 ||
    settings.grader !== "ours" ||
    settings.limit !== null
  )
    return undefined;
  if (settings.oracle !== experiment.oracle || settings.crowd.join("\u0000") !== experiment.crowd.join("\u0000"))
    return undefined;
  const path = join(SHIPPED_ROUTERS_DIR, experiment.holdoutRouter);
  return existsSync(path) ? path : undefined;
}

/** Writes `run.json`, or checks that an earlier run in `outDir` had the same settings (resuming it). */
export function checkSettings(outDir: string, settings: Record<string, unknown>): void {
  const file = join(outDir, "run.json");
  const text = `${JSON.stringify(settings, null, 2)}\n`;
  if (existsSync(file)) {
    const previous = readFileSync(file, "utf8");
    if (previous !== text) {
      throw new PyramidConfigError(`${outDir} holds a run with other settings (see its run.json)`, {
        field: "--out",
        fix: "use another --out folder, or delete the old one to start afresh",
      });
    }
    return;
  }
  writeFileSync(file, text);
}

/**
 * Runs the pyramid over replayed recorded outputs and writes graded traces to `<outDir>/traces.jsonl` (and
 * `train_traces.jsonl` and `router.json` with `train`). Resumable: re-running with the same settings continues
 * where an interrupted run stopped.
 */
export async function runEvaluation(options: EvaluationOptions): Promise<EvaluationRun> {
  if (!(EVAL_BENCHMARKS as readonly string[]).includes(options.benchmark)) {
    throw new PyramidConfigError(`unknown benchmark "${options.benchmark}"`, {
      field: "--benchmark",
      fix: `use one of ${EVAL_BENCHMARKS.join(", ")}`,
    });
  }
  const defaults = DEFAULT_EXPERIMENTS[options.benchmark];
  if (!defaults && (!options.crowd || !options.oracle)) {
    throw new PyramidConfigError(`benchmark "${options.benchmark}" has no default crowd and Oracle`, {
      field: options.crowd ? "--oracle" : "--crowd",
      fix: `give --crowd <m1,m2,...> and --oracle <m> (models of the recorded file), or use ${Object.keys(DEFAULT_EXPERIMENTS).join(", ")}`,
    });
  }
  if (options.benchmark === "custom" && (options.grader ?? "ours") === "ours") {
    throw new PyramidConfigError("benchmark custom has no built-in grader", {
      field: "--grader",
      fix: "give --grader reference (the lines' reference.correct) or --grader <module path> exporting grade()",
    });
  }
  const crowd = [...(options.crowd ?? defaults.crowd)];
  const oracle = options.oracle ?? defaults.oracle;
  const task = options.task ?? defaults?.task ?? BENCHMARK_TASKS[options.benchmark] ?? "text";
  const recordedFiles =
    options.recordedFiles && options.recordedFiles.length > 1 ? [...options.recordedFiles] : undefined;
  const recordedFile =
    options.recordedFiles?.[0] ??
    options.recordedFile ??
    join(dataDir(), "recorded", defaults?.recorded ?? `${options.benchmark}.jsonl`);
  const holdout = options.holdout ?? 0.3;
  const seed = options.seed ?? 1;
  const grader = options.grader ?? "ours";
  const givenRouter = options.routerFile ? loadRouter(options.routerFile) : undefined;
  const codeClaims = options.codeClaims ?? codeClaimsByDefault(givenRouter ? [givenRouter] : []);
  const settings = {
    benchmark: options.benchmark,
    // One file keeps the settings of earlier runs; several are listed.
    ...(recordedFiles ? { recordedFiles } : { recordedFile }),
    crowd,
    oracle,
    task: taskLabel(task),
    train: options.train ?? false,
    holdout,
    seed,
    routerFile: options.routerFile ?? null,
    policy: options.policy ?? null,
    grader,
    limit: options.limit ?? null,
    // Recorded only when given, so that the run.json of earlier runs still matches.
    ...(options.similarity ? { similarity: options.similarity } : {}),
    ...(task === "code" ? { codeBehaviour: options.codeBehaviour ?? true } : {}),
    // Recorded only when on, so that the run.json of a run from before the claim features existed still matches.
    ...(task === "code" && codeClaims ? { codeClaims } : {}),
  };
  // A router trained for other members is refused before any data is read (its bundle records their names).
  if (givenRouter) {
    checkRouterMembers(
      givenRouter,
      crowd,
      `--router ${options.routerFile}`,
      options.allowRouterMemberMismatch ?? false,
    );
  }
  mkdirSync(options.outDir, { recursive: true });
  checkSettings(options.outDir, settings);

  const loadOptions = {
    strict: options.strict ?? false,
    onWarning: (message: string) => process.stderr.write(`${message}\n`),
  };
  const store = recordedFiles
    ? new RecordedOutputs(recordedFiles.flatMap((file) => RecordedOutputs.load(file, loadOptions).lines))
    : RecordedOutputs.load(recordedFile, loadOptions);
  for (const name of [...crowd, oracle]) {
    if (!store.models.includes(name)) {
      throw new PyramidConfigError(`model "${name}" is not in ${(recordedFiles ?? [recordedFile]).join(" or ")}`, {
        field: name === oracle ? "--oracle" : "--crowd",
        fix: `use one of: ${store.models.join(", ")}`,
      });
    }
  }
  let items = itemsAnsweredByAll(getRecordedItems(store), [...crowd, oracle]);
  if (options.limit) items = items.slice(0, options.limit);
  const { grade, close } = await recordedGrader(options.benchmark, grader, {
    unsafeAllowUnsandboxedCode: options.unsafeAllowUnsandboxedCode,
  });
  const base = {
    benchmark: options.benchmark,
    store,
    crowd,
    oracle,
    task,
    ...(options.similarity ? { similarity: options.similarity } : {}),
    grade,
    allowRouterMemberMismatch: options.allowRouterMemberMismatch,
    unsafeAllowUnsandboxedCode: options.unsafeAllowUnsandboxedCode,
    codeBehaviour: options.codeBehaviour,
    codeClaims,
  };
  try {
    let router: Router = new AgreementRouter();
    let routerOrigin: RouterOrigin = "agreement";
    let routerNote: string | undefined;
    let bundle: RouterBundle | undefined;
    let evalItems = items;
    let trainTraces: EvalTraceLine[] = [];
    if (options.train) {
      const split = splitItems(items, holdout, seed);
      const trainItems = split.train;
      evalItems = split.holdout;
      trainTraces = await evaluateItems(
        { ...base, router: new AgreementRouter(), policy: { threshold: 0.5 } },
        trainItems,
        TracesFile.open(join(options.outDir, "train_traces.jsonl")),
        { concurrency: options.concurrency, progress: new Progress("train part", trainItems.length) },
      );
      // Retrained on every run, also when resuming: training is deterministic and does not depend on the order of
      // the traces, so an unchanged run gets the same router, and a run after a code or data change a fresh one.
      const routerPath = join(options.outDir, "router.json");
      const previousRouter = existsSync(routerPath) ? readFileSync(routerPath, "utf8") : undefined;
      try {
        bundle = trainRouter({
          traces: trainTraces,
          seed,
          dataset: `${options.benchmark} (${crowd.join(", ")} -> ${oracle})`,
        }).bundle;
        saveRouterBundle(routerPath, bundle);
        routerOrigin = "trained";
      } catch (error) {
        const shipped = error instanceof MissingDependencyError ? shippedRouterFor(settings) : undefined;
        if (!shipped) throw error;
        const missing = /koffi FFI package/.test(error instanceof Error ? error.message : "")
          ? "the koffi package"
          : "libxgboost";
        routerNote = `${missing} is not installed, so the router is not retrained`;
        process.stderr.write(
          `${routerNote}: using the shipped ${shipped}, which ` +
            `\`scripts/train_shipped_routers.ts\` trains on this same training part (${missing === "libxgboost" ? "apt-get install -y libxgboost0" : "npm install koffi"} to retrain).\n`,
        );
        copyFileSync(shipped, routerPath);
        bundle = loadRouterBundle(routerPath);
        routerOrigin = "shipped";
      }
      // Holdout traces of an earlier run carry that run's P_fail and decisions: keep them only for the same router.
      const holdoutPath = join(options.outDir, "traces.jsonl");
      if (
        previousRouter !== undefined &&
        previousRouter !== readFileSync(routerPath, "utf8") &&
        existsSync(holdoutPath)
      ) {
        process.stderr.write(
          `the router differs from the one of the earlier run in ${options.outDir}: re-evaluating the holdout part\n`,
        );
        rmSync(holdoutPath);
      }
      router = routerFromBundle(bundle);
    } else if (options.routerFile && givenRouter) {
      bundle = loadRouterBundle(options.routerFile);
      router = givenRouter;
      routerOrigin = "file";
    }
    const policy: DecisionPolicy =
      typeof options.policy === "string"
        ? { preset: options.policy }
        : (options.policy ?? (router.presets ? { preset: "baseline-match" } : { threshold: 0.5 }));
    const traces = await evaluateItems(
      { ...base, router, policy },
      evalItems,
      TracesFile.open(join(options.outDir, "traces.jsonl")),
      {
        concurrency: options.concurrency,
        progress: new Progress(options.train ? "holdout part" : "evaluation", evalItems.length),
      },
    );
    const replayed = { store, items: evalItems, task };
    const note = routerNote ? { routerNote } : {};
    return { settings, traces, trainTraces, bundle, policy, routerOrigin, ...note, router, replayed };
  } finally {
    await close();
  }
}
