import { createHash } from "node:crypto";
import { RouterModelError } from "../../errors/index.js";
import { readTextFile } from "../../utils/read_text.js";
import type { FeatureVector } from "../../features/types.js";
import type { Router } from "../types.js";
import { applyPFailCalibration, type PFailCalibration } from "../calibration/calibrator.js";
import { compileForest, forestMargin, sigmoid, type CompiledForest } from "./forest.js";
import { parseXGBoostModel, type ParsedXGBoostModel } from "./model_json.js";
import { ruleOffsetMargin, type RuleOffset } from "../rule_offset.js";

/** Options of {@link XGBoostRouter}. */
export interface XGBoostRouterOptions {
  /** Threshold presets calibrated with the model (router bundles carry them). */
  presets?: Readonly<Record<string, number>>;
  /**
   * Feature names, for a bare model saved without them; must match the model's own names when it
   * has some.
   */
  featureNames?: readonly string[];
  /** Name used in error messages (e.g. the file path). */
  source?: string;
  /** Names of the tier members the model was trained with, in order (router bundles carry them). */
  memberNames?: readonly string[];
  /**
   * Monotone calibration of the model's output (router bundles trained by `trainRouter` carry one): `predict`,
   * `predictRow` and `predictBatch` then return the calibrated `P_fail`, a probability comparable with Equation 5's
   * barriers; `predictRaw` returns the model's own output.
   */
  calibration?: PFailCalibration;
  /**
   * The agreement rule's log-odds the trees were trained on top of (router bundles of version 3 carry it): the margin
   * starts there instead of at `logit(base_score)`, as libxgboost's `base_margin`. Needs a `vote_share` feature.
   */
  ruleOffset?: RuleOffset;
}

/** A row the router can score: a named feature vector, or bare values in the model's feature order. */
export type RouterRow = FeatureVector | ArrayLike<number>;

function isFeatureVector(row: RouterRow): row is FeatureVector {
  return typeof row === "object" && row !== null && "names" in row && "values" in row;
}

/**
 * A {@link Router} backed by an XGBoost model (JSON format, `gbtree`, `binary:logistic`), evaluated
 * in plain TypeScript: no native code at inference time.
 *
 * Prediction follows libxgboost exactly: inputs are rounded to float32, a split sends `x < threshold`
 * left and a missing value (NaN) along `default_left`, leaf values are summed in float32 from
 * `logit(base_score)`, and the result is `sigmoid(margin)` (then mapped through {@link XGBoostRouter.calibration} when
 * the router has one; {@link XGBoostRouter.predictRaw} skips it). The trees are compiled into flat typed
 * arrays once, so a single-row prediction over 100 trees takes a few microseconds.
 */
export class XGBoostRouter implements Router {
  /** Feature names the model was trained on, in order (undefined for a bare model without names). */
  readonly featureNames?: readonly string[];
  /** Threshold presets calibrated with the model, when loaded from a bundle. */
  readonly presets?: Readonly<Record<string, number>>;
  /** Names of the tier members the model was trained with, when known. */
  readonly memberNames?: readonly string[];
  /** The calibration applied to the model's output, when loaded from a bundle that has one. */
  readonly calibration?: PFailCalibration;
  /** The agreement rule's offset the trees correct, when the router was trained from the rule. */
  readonly ruleOffset?: RuleOffset;
  /** Number of input features. */
  readonly numFeatures: number;
  /** Number of trees. */
  readonly numTrees: number;
  /** `base_score` (a probability). */
  readonly baseScore: number;
  /** The model's objective. */
  readonly objective: string;
  /** SHA-256 of the model (trees, base score, objective, feature and member names, presets): its identity in cache keys. */
  readonly digest: string;
  /**
   * The features `predict` reads: those some tree splits on, and the rule offset's `vote_share`, in the model's order
   * (undefined for a bare model without feature names). Crowd schedules use it to decide a tier early (see `isSettled`).
   */
  readonly readsFeatures?: readonly string[];

  private readonly forest: CompiledForest;
  private readonly scratch: Float32Array;
  private readonly source: string;
  /** Column of `vote_share`, with a {@link XGBoostRouter.ruleOffset}. */
  private readonly offsetColumn: number;
  /** The last `names` array found equal to {@link featureNames}, to skip re-checking it. */
  private checkedNames: readonly string[] | undefined;

  /** Builds a router from an already-parsed model; prefer {@link XGBoostRouter.fromJSON}. */
  constructor(model: ParsedXGBoostModel, options: XGBoostRouterOptions = {}) {
    this.source = options.source ?? "model";
    if (options.featureNames) {
      if (options.featureNames.length !== model.numFeature) {
        throw new RouterModelError(
          `${options.featureNames.length} feature names given for a model with ${model.numFeature} features.`,
          { field: "featureNames", fix: "pass exactly the names of the features the model was trained on, in order." },
        );
      }
      if (model.featureNames) {
        const diff = firstDifference(model.featureNames, options.featureNames);
        if (diff) {
          throw new RouterModelError(`the given feature names differ from the model's: ${diff}.`, {
            field: "featureNames",
            fix: "use the model's own feature names (or omit featureNames).",
          });
        }
      }
    }
    this.featureNames = Object.freeze([...(model.featureNames ?? options.featureNames ?? [])]);
    if (this.featureNames.length === 0) this.featureNames = undefined;
    this.presets = options.presets ? Object.freeze({ ...options.presets }) : undefined;
    this.memberNames = options.memberNames ? Object.freeze([...options.memberNames]) : undefined;
    this.calibration = options.calibration;
    this.ruleOffset = options.ruleOffset;
    this.offsetColumn = -1;
    if (options.ruleOffset) {
      this.offsetColumn = this.featureNames?.indexOf(options.ruleOffset.feature) ?? -1;
      if (this.offsetColumn < 0) {
        throw new RouterModelError(
          `the router starts from the agreement rule but has no "${options.ruleOffset.feature}" feature.`,
          { field: `${this.source}: ruleOffset`, fix: "use a bundle whose features include vote_share." },
        );
      }
    }
    this.numFeatures = model.numFeature;
    this.numTrees = model.trees.length;
    this.baseScore = model.baseScore;
    this.objective = model.objective;
    this.digest = createHash("sha256")
      .update(
        JSON.stringify({
          objective: model.objective,
          baseScore: model.baseScore,
          numFeature: model.numFeature,
          numParallelTree: model.numParallelTree,
          trees: model.trees,
          featureNames: this.featureNames ?? null,
          memberNames: this.memberNames ?? null,
          presets: this.presets ?? null,
          ...(this.ruleOffset ? { ruleOffset: this.ruleOffset } : {}),
        }),
      )
      .digest("hex");
    this.forest = compileForest(model);
    this.readsFeatures = this.featureNames
      ? readFeatureNames(this.featureNames, this.forest, this.offsetColumn)
      : undefined;
    this.scratch = new Float32Array(model.numFeature);
  }

  /** Builds a router from a parsed XGBoost JSON model object (`JSON.parse` of `model.json`). */
  static fromJSON(json: unknown, options: XGBoostRouterOptions = {}): XGBoostRouter {
    return new XGBoostRouter(parseXGBoostModel(json, options.source ?? "model"), options);
  }

  /** Reads and builds a router from an XGBoost JSON model file. */
  static fromFile(path: string, options: XGBoostRouterOptions = {}): XGBoostRouter {
    return XGBoostRouter.fromJSON(readJsonFile(path), { ...options, source: options.source ?? path });
  }

  /**
   * `P_fail` for a feature vector whose names match the model's.
   *
   * @throws RouterModelError when the vector's names (or count) differ from the model's, naming the
   *   first difference.
   */
  predict(features: FeatureVector): number {
    this.checkNames(features.names);
    return this.calibrated(sigmoid(this.marginOf(features.values)));
  }

  /** `P_fail` for bare values in the model's feature order (NaN = missing); only the count is checked. */
  predictRow(values: ArrayLike<number>): number {
    return this.calibrated(sigmoid(this.marginOf(values)));
  }

  /** The model's own output for bare values, before {@link XGBoostRouter.calibration} (what libxgboost predicts). */
  predictRaw(values: ArrayLike<number>): number {
    return sigmoid(this.marginOf(values));
  }

  /** The raw margin (log-odds) for bare values in the model's feature order. */
  predictMargin(values: ArrayLike<number>): number {
    return this.marginOf(values);
  }

  /** `P_fail` for many rows (feature vectors, checked by name, or bare value rows), calibrated like `predict`. */
  predictBatch(rows: readonly RouterRow[]): Float64Array {
    const out = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (isFeatureVector(row)) {
        this.checkNames(row.names);
        out[i] = this.calibrated(sigmoid(this.marginOf(row.values)));
      } else {
        out[i] = this.calibrated(sigmoid(this.marginOf(row)));
      }
    }
    return out;
  }

  private calibrated(raw: number): number {
    return this.calibration ? applyPFailCalibration(this.calibration, raw) : raw;
  }

  private marginOf(values: ArrayLike<number>): number {
    // `?.`: a null row from untyped code gets this error too, not a TypeError.
    if (values?.length !== this.numFeatures) {
      throw new RouterModelError(
        `got ${values?.length} feature values but the model has ${this.numFeatures} features.`,
        {
          field: this.source,
          fix: "compute the features the router was trained on (see router.featureNames), in the same order.",
        },
      );
    }
    const x = this.scratch;
    x.set(values); // rounds to float32, as libxgboost reads its inputs
    if (this.ruleOffset) return forestMargin(this.forest, x, ruleOffsetMargin(this.ruleOffset, x[this.offsetColumn]));
    return forestMargin(this.forest, x);
  }

  private checkNames(names: readonly string[]): void {
    const expected = this.featureNames;
    if (!expected || names === this.checkedNames) return;
    const diff = firstDifference(expected, names);
    if (diff) {
      throw new RouterModelError(`the feature vector does not match the router's features: ${diff}.`, {
        field: this.source,
        fix: "use a router trained on the pyramid's features (same names, same order), or retrain it with `pyramid-moa train`.",
      });
    }
    this.checkedNames = names;
  }
}

/** The names of the features some split of `forest` reads, plus column `offsetColumn` (-1: none), in column order. */
function readFeatureNames(names: readonly string[], forest: CompiledForest, offsetColumn: number): readonly string[] {
  const split = new Set<number>(forest.feature); // leaves hold -1, which is no column
  return Object.freeze(names.filter((_, column) => column === offsetColumn || split.has(column)));
}

/** Describes the first difference between the expected and actual feature names, or undefined. */
export function firstDifference(expected: readonly string[], actual: readonly string[]): string | undefined {
  const n = Math.min(expected.length, actual.length);
  for (let i = 0; i < n; i++) {
    if (expected[i] !== actual[i]) {
      return `feature ${i} is "${actual[i]}" where the model expects "${expected[i]}"`;
    }
  }
  if (expected.length !== actual.length) {
    const extra = n < expected.length ? `missing "${expected[n]}"` : `unexpected extra feature "${actual[n]}"`;
    return `${actual.length} features where the model expects ${expected.length} (at ${n}: ${extra})`;
  }
  return undefined;
}

/** Reads and parses a JSON file, with a {@link RouterModelError} naming the file on failure. */
export function readJsonFile(path: string): unknown {
  const text = readTextFile(path, { error: RouterModelError, what: "router file", fix: "check the path." });
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new RouterModelError(`not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}.`, {
      field: path,
      fix: "pass the JSON file written by XGBoost's save_model or by `pyramid-moa train`.",
      cause,
    });
  }
}
