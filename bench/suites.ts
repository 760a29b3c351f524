import { createAnytimeSuite } from "./anytime.js";
import { createCodeBehaviourSuite } from "./code_behaviour.js";
import { createCodeGradingSuite } from "./code_grading.js";
import { createEvalReplaySuite } from "./eval_replay.js";
import { createLoadSuite } from "./load.js";
import { createOverheadSuite } from "./overhead.js";
import { createParallelSuite } from "./parallel.js";
import { createRouterSuite } from "./router.js";
import { createServeWorkersSuite } from "./serve_workers.js";
import { createServeFrameworkSuite } from "./serve_framework.js";
import { createRedisSuite } from "./redis.js";
import { createTextFeaturesSuite } from "./text_features.js";
import type { BenchSuite } from "./types.js";

/** A suite of `npm run bench`, with its full and its quick (smoke-test) settings. */
export interface SuiteEntry {
  /** Short name used by `--only`. */
  readonly name: string;
  /** Builds the suite; `quick` = tiny repeat counts and latencies, only to check that it runs. */
  readonly create: (quick: boolean) => BenchSuite;
}

/** The bench's own suites, in run order. */
export const CORE_SUITES: readonly SuiteEntry[] = [
  {
    name: "overhead",
    create: (quick) => createOverheadSuite(quick ? { rounds: 2, queries: 5, warmup: 5 } : {}),
  },
  {
    name: "parallel",
    create: (quick) => createParallelSuite(quick ? { repeats: 2, fastMs: 5, slowMs: 20 } : {}),
  },
  {
    name: "load",
    create: (quick) => createLoadSuite(quick ? { queries: 20, rounds: 1, crowdMs: 5, oracleMs: 15 } : {}),
  },
  {
    name: "serve_workers",
    create: (quick) => createServeWorkersSuite(quick ? { queries: 20, rounds: 1 } : {}),
  },
  {
    name: "serve_framework",
    create: (quick) => createServeFrameworkSuite(quick ? { requests: 200, concurrency: 4, rounds: 1 } : {}),
  },
  {
    name: "redis",
    create: (quick) =>
      createRedisSuite(quick ? { operations: 50, concurrency: 4, rounds: 1, queries: 20, serveRounds: 1 } : {}),
  },
  {
    name: "router",
    create: (quick) => createRouterSuite(quick ? { rounds: 2, queries: 50, memberCalls: 2 } : {}),
  },
  {
    name: "text_features",
    create: (quick) => createTextFeaturesSuite(quick ? { rounds: 2, queries: 20, memberCalls: 2 } : {}),
  },
  {
    name: "eval_replay",
    create: (quick) => createEvalReplaySuite(quick ? { rounds: 1, limit: 20, concurrency: 4 } : {}),
  },
  {
    name: "anytime",
    create: (quick) => createAnytimeSuite(quick ? { queries: 8, rounds: 1, scale: 0.01 } : {}),
  },
  {
    name: "code_behaviour",
    create: (quick) => createCodeBehaviourSuite(quick ? { rounds: 1, queries: 2 } : {}),
  },
  {
    name: "code_grading",
    create: (quick) => createCodeGradingSuite(quick ? { rounds: 1, lines: 8 } : {}),
  },
];

/** Suites written by other parts of the project, loaded if their module is present and loads. */
export const OPTIONAL_SUITE_MODULES: readonly { readonly name: string; readonly module: string }[] = [
  { name: "xgboost", module: "./xgboost.js" },
  { name: "llamacpp", module: "./llamacpp.js" },
];
