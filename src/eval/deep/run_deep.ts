import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { AnswerTask } from "../../answers/types.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import type { Price } from "../../cost/price.js";
import { MissingDependencyError, PyramidConfigError } from "../../errors/index.js";
import type { DecisionPolicy } from "../../policy/decision.js";
import type { LookaheadOptions, TierEstimate } from "../../policy/lookahead.js";
import { PRESET_NAMES } from "../../policy/presets.js";
import { getRecordedItems, itemsAnsweredByAll } from "../../replay/items.js";
import { RecordedOutputs } from "../../replay/recorded_outputs.js";
import { AgreementRouter } from "../../router/agreement.js";
import { loadRouter, loadRouterBundle, saveRouterBundle, serializeRouterBundle } from "../../router/bundle.js";
import type { RouterBundle } from "../../router/bundle.js";
import { checkRouterMembers } from "../../router/member_check.js";
import { trainBoundaryRouters } from "../../router/train/train_boundaries.js";
import type { Router } from "../../router/types.js";
import { dataDir } from "../data_dir.js";
import { recordedGrader, type GraderChoice } from "../run/graders.js";
import { Progress } from "../run/progress.js";
import { checkSettings, SHIPPED_ROUTERS_DIR, type RouterOrigin } from "../run/run_eval.js";
import { splitItems } from "../run/split.js";
import { TracesFile } from "../run/traces_file.js";
import { DEEP_EXPERIMENTS, shippedDeepRouters } from "./experiments.js";
import { lookaheadEstimates } from "./lookahead.js";
import { deepQueriesFromTraces } from "./queries.js";
import { defaultTierNames, evaluateDeepItems } from "./replay.js";

/** Options of {@link runDeepEvaluation} (`pyramid-moa eval --tiers`). */
export interface DeepEvaluationOptions {
  /** Benchmark (picks the grader). */
  readonly benchmark: string;
  /** Model names per tier, cheapest first (default: the benchmark's built-in deep pyramid). */
  readonly tiers?: readonly (readonly string[])[];
  /** Tier names (default the built-in pyramid's, else `crowd`, `tier_1`, ..., `apex`). */
  readonly tierNames?: readonly string[];
  /** Recorded files; a model's outputs may come from any of them (default the built-in pyramid's). */
  readonly recordedFiles?: readonly string[];
  /** USD per 1M tokens by member name (default: by parameter count). */
  readonly prices?: Readonly<Record<string, Price>>;
  /** One router file per boundary (default: the shipped routers when the members match, else vote agreement). */
  readonly routerFiles?: readonly string[];
  /** Use the shipped routers when the members match and no router file is given (default true). */
  readonly shippedRouters?: boolean;
  /** Train one router per boundary on the training part and evaluate on the holdout part. */
  readonly train?: boolean;
  readonly holdout?: number;
  readonly seed?: number;
  /** Policy at every boundary; default the routers' `baseline-match` preset, else `{ threshold: 0.5 }`. */
  readonly policy?: DecisionPolicy | string;
  /** Run the evaluated pyramid with look-ahead decisions instead of the thresholds (the training part keeps them). */
  readonly lookahead?: LookaheadOptions;
  readonly outDir: string;
  readonly grader?: GraderChoice;
  readonly concurrency?: number;
  readonly limit?: number;
  readonly task?: AnswerTask;
  readonly strict?: boolean;
  readonly allowRouterMemberMismatch?: boolean;
}

/** What {@link runDeepEvaluation} produced. */
export interface DeepEvaluationRun {
  readonly routerOrigin: RouterOrigin;
  /** The router files used (given, shipped or written). */
  readonly routerFiles: readonly string[];
  readonly settings: Record<string, unknown>;
  readonly traces: EvalTraceLine[];
  readonly trainTraces: EvalTraceLine[];
  readonly bundles: RouterBundle[];
  readonly policy: DecisionPolicy;
  /** Joint presets by name: one threshold per boundary (from the routers' presets). */
  readonly presets: Record<string, number[]>;
  /** Look-ahead estimates from the training part's out-of-fold `P_fail` (with `train`). */
  readonly lookahead?: TierEstimate[];
  readonly tierNames: readonly string[];
}

function mergedStore(files: readonly string[], strict: boolean): RecordedOutputs {
  const stores = files.map((file) =>
    RecordedOutputs.load(file, { strict, onWarning: (message: string) => process.stderr.write(`${message}\n`) }),
  );
  return stores.length === 1 ? stores[0] : new RecordedOutputs(stores.flatMap((s) => s.lines));
}

function presetsOf(routers: readonly Router[]): Record<string, number[]> {
  if (!routers.every((r) => r.presets)) return {};
  return Object.fromEntries(PRESET_NAMES.map((name) => [name, routers.map((r) => r.presets?.[name] ?? Number.NaN)]));
}

/**
 * Runs a pyramid of any number of tiers over replayed recorded outputs and writes graded traces (every tier evaluated
 * on every item) to `<outDir>/traces.jsonl`; with `train`, one router per boundary is trained on the training part's
 * traces (`train_traces.jsonl`, run with vote-agreement routers) and written to `router-<k>.json`, with joint presets.
 * Resumable like the two-tier run.
 */
export async function runDeepEvaluation(options: DeepEvaluationOptions): Promise<DeepEvaluationRun> {
  const defaults = DEEP_EXPERIMENTS[options.benchmark];
  const tiers = (options.tiers ?? defaults?.tiers)?.map((t) => [...t]);
  if (!tiers || tiers.length < 2 || tiers.some((t) => t.length === 0)) {
    throw new PyramidConfigError(`benchmark "${options.benchmark}" has no default deep pyramid`, {
      field: "--tiers",
      fix: 'give --tiers "a,b,c;d;e" (tiers separated by ";", members by ",", cheapest first)',
    });
  }
  const sameAsDefault = defaults && JSON.stringify(tiers) === JSON.stringify(defaults.tiers);
  const tierNames = [...(options.tierNames ?? (sameAsDefault ? defaults.tierNames : defaultTierNames(tiers.length)))];
  const task = options.task ?? defaults?.task ?? "text";
  const recordedFiles = [
    ...(options.recordedFiles ??
      (defaults?.recorded ?? [`${options.benchmark}.jsonl`]).map((f) => join(dataDir(), "recorded", f))),
  ];
  const holdout = options.holdout ?? 0.3;
  const seed = options.seed ?? 1;
  const grader = options.grader ?? "ours";
  const shipped =
    !options.train && !options.routerFiles && options.shippedRouters !== false
      ? shippedDeepRouters(SHIPPED_ROUTERS_DIR, tiers)
      : undefined;
  const routerFiles = options.routerFiles ? [...options.routerFiles] : shipped?.files;
  if (routerFiles && routerFiles.length !== tiers.length - 1) {
    throw new PyramidConfigError(`${routerFiles.length} router files for ${tiers.length - 1} boundaries`, {
      field: "--router",
      fix: "give --router once per boundary (after every tier but the apex), in order",
    });
  }
  const givenRouters = routerFiles?.map((file) => loadRouter(file));
  for (const [k, router] of (givenRouters ?? []).entries()) {
    checkRouterMembers(
      router,
      tiers.slice(0, k + 1).flat(),
      `--router ${routerFiles?.[k]}`,
      options.allowRouterMemberMismatch ?? false,
    );
  }
  const settings = {
    benchmark: options.benchmark,
    recordedFiles,
    tiers,
    tierNames,
    task,
    train: options.train ?? false,
    holdout,
    seed,
    routerFiles: routerFiles ?? null,
    policy: options.policy ?? null,
    ...(options.lookahead ? { lookahead: options.lookahead } : {}),
    prices: options.prices ?? null,
    grader,
    limit: options.limit ?? null,
  };
  mkdirSync(options.outDir, { recursive: true });
  checkSettings(options.outDir, settings);
  const store = mergedStore(recordedFiles, options.strict ?? false);
  const models = tiers.flat();
  for (const name of models) {
    if (!store.models.includes(name)) {
      throw new PyramidConfigError(`model "${name}" is not in ${recordedFiles.join(" or ")}`, {
        field: "--tiers",
        fix: `use models of the recorded files (${store.models.join(", ")}), or add a file with --recorded`,
      });
    }
  }
  let items = itemsAnsweredByAll(getRecordedItems(store), models);
  if (options.limit) items = items.slice(0, options.limit);
  const { grade, close } = await recordedGrader(options.benchmark, grader);
  const base = {
    benchmark: options.benchmark,
    store,
    tiers,
    tierNames,
    task,
    grade,
    prices: options.prices,
    allowRouterMemberMismatch: options.allowRouterMemberMismatch,
  };
  try {
    let routers: Router[] = tiers.slice(1).map(() => new AgreementRouter());
    let routerOrigin: RouterOrigin = "agreement";
    let bundles: RouterBundle[] = [];
    let files: string[] = [];
    let evalItems = items;
    let trainTraces: EvalTraceLine[] = [];
    let lookahead: TierEstimate[] | undefined;
    if (options.train) {
      const split = splitItems(items, holdout, seed);
      const trainItems = split.train;
      evalItems = split.holdout;
      trainTraces = await evaluateDeepItems(
        { ...base, routers, policy: { threshold: 0.5 } },
        trainItems,
        TracesFile.open(join(options.outDir, "train_traces.jsonl")),
        { concurrency: options.concurrency, progress: new Progress("train part", trainItems.length) },
      );
      files = routers.map((_, k) => join(options.outDir, `router-${k}.json`));
      const before = files.map((file) => (existsSync(file) ? readFileSync(file, "utf8") : ""));
      let trained: ReturnType<typeof trainBoundaryRouters> | undefined;
      try {
        trained = trainBoundaryRouters({ traces: trainTraces, seed, dataset: options.benchmark });
      } catch (error) {
        // Without libxgboost: the routers the same run trains (`scripts/train_deep_routers.ts`), for these settings only.
        const holdoutDir = join(SHIPPED_ROUTERS_DIR, "holdout");
        const stand = shippedDeepRouters(holdoutDir, tiers);
        const defaults = holdout === 0.3 && seed === 1 && grader === "ours" && !options.limit && !options.prices;
        if (!(error instanceof MissingDependencyError) || !stand || !defaults) throw error;
        process.stderr.write(
          `${error.message}: using the routers trained on this training part, ${stand.files.join(", ")}\n`,
        );
        for (const [k, file] of stand.files.entries()) copyFileSync(file, files[k]);
      }
      bundles = trained ? trained.bundles : files.map((file) => loadRouterBundle(file));
      routers = trained ? trained.routers : files.map((file) => loadRouter(file));
      if (trained) for (const [k, bundle] of bundles.entries()) saveRouterBundle(files[k], bundle);
      routerOrigin = trained ? "trained" : "shipped";
      const holdoutPath = join(options.outDir, "traces.jsonl");
      if (bundles.some((b, k) => before[k] !== serializeRouterBundle(b)) && existsSync(holdoutPath)) {
        process.stderr.write(`the routers differ from those of the earlier run in ${options.outDir}: re-evaluating\n`);
        rmSync(holdoutPath);
      }
      const outOfFold = trained?.outOfFold;
      if (outOfFold) {
        lookahead = lookaheadEstimates(
          deepQueriesFromTraces(trainTraces).map((q) => ({ ...q, pFail: outOfFold.get(q.id) ?? q.pFail })),
        );
      }
    } else if (routerFiles && givenRouters) {
      routers = givenRouters;
      bundles = routerFiles.map((file) => loadRouterBundle(file));
      files = routerFiles;
      routerOrigin = shipped ? "shipped" : "file";
    }
    const policy: DecisionPolicy =
      typeof options.policy === "string"
        ? { preset: options.policy }
        : (options.policy ?? (routers.every((r) => r.presets) ? { preset: "baseline-match" } : { threshold: 0.5 }));
    const traces = await evaluateDeepItems(
      { ...base, routers, policy, ...(options.lookahead ? { lookahead: options.lookahead } : {}) },
      evalItems,
      TracesFile.open(join(options.outDir, "traces.jsonl")),
      {
        concurrency: options.concurrency,
        progress: new Progress(options.train ? "holdout part" : "evaluation", evalItems.length),
      },
    );
    return {
      routerOrigin,
      routerFiles: files,
      settings,
      traces,
      trainTraces,
      bundles,
      policy,
      presets: presetsOf(routers),
      tierNames,
      ...(lookahead ? { lookahead } : {}),
    };
  } finally {
    await close();
  }
}
