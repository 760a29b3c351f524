import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { dataDir } from "../src/eval/index.js";
import { AgreementRouter, computeFeatures, extractAnswer, featureNames } from "../src/index.js";
import type { Candidate, FeatureVector, Router } from "../src/index.js";
import { RecordedOutputs } from "../src/replay/index.js";
import { XGBoostRouter } from "../src/router/xgboost/index.js";
import { LatencyChatModel } from "./latency_model.js";
import { CROWD_MODELS } from "./replay_setup.js";
import { figure, median, now } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the router suite. */
export interface RouterOptions {
  /** Measured rounds. Default 7. */
  readonly rounds?: number;
  /** Queries (feature vectors + predictions) per round. Default 2000. */
  readonly queries?: number;
  /** Calls of the 50 ms member measured for the baseline. Default 7. */
  readonly memberCalls?: number;
  /** Path of the 100-tree XGBoost model. Default `test/fixtures/xgboost/model100.json`. */
  readonly modelPath?: string;
}

/** Where the 100-tree XGBoost model comes from: the router helper's golden fixture. */
export const DEFAULT_ROUTER_MODEL = "test/fixtures/xgboost/model100.json";

function candidate(model: string, index: number, text: string): Candidate {
  const extracted = extractAnswer(text, "math");
  return {
    model,
    tier: 0,
    index,
    text,
    answer: extracted?.key ?? null,
    display: extracted?.display ?? null,
    attempts: 1,
    latencyMs: 0,
    usage: { input: 100, output: Math.ceil(text.length / 4), estimated: true },
    costUsd: 0,
  };
}

/**
 * Realistic crowds: the recorded GSM8K outputs of the paper's crowd (3 models) on up to `limit` items;
 * synthetic texts when the data folder is absent.
 */
export function realisticCrowds(limit = 200): { crowds: Candidate[][]; source: string } {
  const file = join(dataDir(), "recorded", "gsm8k.jsonl");
  if (!existsSync(file)) {
    const crowds = Array.from({ length: limit }, (_, i) =>
      CROWD_MODELS.map((model, j) =>
        candidate(
          model,
          j,
          `Step 1: ${i} apples plus ${j} more. Step 2: add them. {"answer": "${i + (j === 2 ? 1 : 0)}"}`,
        ),
      ),
    );
    return { crowds, source: `synthetic texts (${file} not found)` };
  }
  const store = RecordedOutputs.load(file);
  const byItem = new Map<string, Map<string, string>>();
  for (const line of store.lines) {
    if (!CROWD_MODELS.includes(line.model)) continue;
    const id = line.id ?? JSON.stringify(line.messages);
    let item = byItem.get(id);
    if (!item) {
      item = new Map();
      byItem.set(id, item);
    }
    item.set(line.model, line.output);
  }
  const crowds: Candidate[][] = [];
  for (const item of byItem.values()) {
    if (item.size !== CROWD_MODELS.length) continue;
    crowds.push(CROWD_MODELS.map((model, j) => candidate(model, j, item.get(model) ?? "")));
    if (crowds.length >= limit) break;
  }
  return { crowds, source: `recorded GSM8K outputs of ${CROWD_MODELS.join(", ")} (${crowds.length} items)` };
}

/**
 * The router helper's 100-tree fixture relabelled for a 3-member crowd: the trees split on features 0-11,
 * which become the first 12 of the crowd's 24 features; the tree count and depths (the cost) are unchanged.
 */
export function hundredTreeRouter(path = DEFAULT_ROUTER_MODEL): { router: Router; note: string } | undefined {
  const full = resolve(path);
  if (!existsSync(full)) return undefined;
  const json = JSON.parse(readFileSync(full, "utf8")) as {
    learner: { feature_names?: string[]; learner_model_param: { num_feature: string } };
  };
  const names = featureNames(CROWD_MODELS.length);
  json.learner.feature_names = names;
  json.learner.learner_model_param.num_feature = String(names.length);
  const router = XGBoostRouter.fromJSON(json, { source: path });
  return {
    router,
    note: `XGBoostRouter, ${router.numTrees} trees (${path}, relabelled to the ${names.length} crowd features)`,
  };
}

/** Builds the router suite: feature computation + prediction per query, as a share of a 50 ms member call. */
export function createRouterSuite(options: RouterOptions = {}): BenchSuite {
  const rounds = options.rounds ?? 7;
  const queries = options.queries ?? 2000;
  const memberCalls = options.memberCalls ?? 7;
  return async (): Promise<BenchFigure[]> => {
    const { crowds, source } = realisticCrowds();
    const xgb = hundredTreeRouter(options.modelPath);
    const router: Router = xgb?.router ?? new AgreementRouter();
    const routerNote =
      xgb?.note ?? `AgreementRouter (no 100-tree model at ${options.modelPath ?? DEFAULT_ROUTER_MODEL})`;
    let sink = 0;
    const both = (i: number): void => {
      sink += router.predict(computeFeatures(crowds[i % crowds.length]));
    };
    const vectors: FeatureVector[] = crowds.map((crowd) => computeFeatures(crowd));
    const featuresOnly = (i: number): void => {
      sink += computeFeatures(crowds[i % crowds.length]).values.length;
    };
    const predictOnly = (i: number): void => {
      sink += router.predict(vectors[i % vectors.length]);
    };
    // CPU time, not wall time: the work is synchronous, and CPU time is what it takes from a shared machine.
    const perQueryUs = (fn: (i: number) => void): number => {
      const c0 = process.cpuUsage();
      for (let i = 0; i < queries; i++) fn(i);
      const c = process.cpuUsage(c0);
      return (c.user + c.system) / queries;
    };
    const perQueryWallUs = (fn: (i: number) => void): number => {
      const t0 = now();
      for (let i = 0; i < queries; i++) fn(i);
      return ((now() - t0) * 1000) / queries;
    };
    for (const fn of [both, featuresOnly, predictOnly]) perQueryUs(fn);
    const member = new LatencyChatModel({ name: "member-50ms", latencyMs: 50, reply: "The answer is 42." });
    await member.invoke("warm-up");
    const values: number[] = [];
    const baselines: number[] = [];
    const features: number[] = [];
    const predicts: number[] = [];
    const walls: number[] = [];
    for (let r = 0; r < rounds; r++) {
      values.push(perQueryUs(both));
      features.push(perQueryUs(featuresOnly));
      predicts.push(perQueryUs(predictOnly));
      walls.push(perQueryWallUs(both));
      if (r < memberCalls) {
        const t0 = now();
        await member.invoke("What is 6 x 7?");
        baselines.push((now() - t0) * 1000);
      } else baselines.push(median(baselines));
    }
    if (!Number.isFinite(sink)) throw new Error("router suite: non-finite prediction");
    return [
      figure({
        section: "Router",
        name: "features + predict per query vs a 50 ms member call",
        unit: "µs/query",
        values,
        baselines,
        note:
          `${routerNote}; computeFeatures on 3 candidates from ${source}; ` +
          `value = CPU time (wall ${median(walls).toFixed(1)} µs); features alone ${median(features).toFixed(1)} µs, predict alone ${median(predicts).toFixed(1)} µs; ` +
          `baseline = a ${"50 ms"} LatencyChatModel.invoke measured in the same run; ${rounds} rounds x ${queries} queries`,
      }),
    ];
  };
}

/** The router suite with its default settings. */
export const routerSuite: BenchSuite = createRouterSuite();
