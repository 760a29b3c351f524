import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { RouterModelError } from "../errors/index.js";
import { XGBoostRouter, firstDifference, readJsonFile } from "./xgboost/xgboost_router.js";
import { parseXGBoostModel } from "./xgboost/model_json.js";
import { validate } from "../errors/validate.js";
import { pFailCalibrationSchema } from "./calibration/calibrator.js";
import { ruleOffsetSchema } from "./rule_offset.js";

/** The `format` tag of a router bundle file. */
export const ROUTER_BUNDLE_FORMAT = "pyramid-moa-router";
/**
 * The bundle format version this code writes. Version 2 added `pFailCalibration` (optional) and preset intervals;
 * version 1 bundles (no calibration: the model's output is used as `P_fail`) still load. Version 3 added `ruleOffset`
 * (optional: the trees correct the agreement rule); version 1 and 2 bundles still load and predict as before.
 */
export const ROUTER_BUNDLE_VERSION = 3;
/** Every bundle format version this code reads. */
export const ROUTER_BUNDLE_VERSIONS = [1, 2, 3] as const;

const threshold = z.number().min(0).max(1);
/** A metric that may be undefined on the set (e.g. AUC with one class), stored as `null`. */
const metric = z.number().nullable();

/** A `[lower, upper]` percentile interval (bounds may be null when undefined on the set). */
const interval = z.tuple([metric, metric]);

/**
 * Figures of one preset on the calibration set (out-of-fold predictions or the validation split). Version 2 adds what
 * the bootstrap over that set found: the share of resamples in which the preset's target held at its threshold, and
 * percentile intervals of its figures.
 */
export const presetFiguresSchema = z.looseObject({
  threshold,
  feasible: z.boolean(),
  escalationRate: metric,
  accuracy: metric,
  costSaving: metric,
  recallOfCrowdErrors: metric,
  /** Share of bootstrap resamples in which the preset's target holds at `threshold`. */
  targetProbability: metric.optional(),
  /** Percentile intervals over the bootstrap resamples (level in `validation.bootstrap.level`). */
  intervals: z
    .looseObject({ accuracy: interval, costSaving: interval, escalationRate: interval, accuracyMinusOracle: interval })
    .optional(),
});

/** Schema of a router bundle file: an XGBoost JSON model plus feature names, presets and metadata. */
export const routerBundleSchema = z.object({
  format: z.literal(ROUTER_BUNDLE_FORMAT),
  version: z.union(ROUTER_BUNDLE_VERSIONS.map((v) => z.literal(v))),
  /** Feature names, in order; must equal the model's `learner.feature_names`. */
  featureNames: z.array(z.string()).min(1),
  /** The XGBoost model, exactly as XGBoost saves it in JSON. */
  model: z.unknown(),
  /**
   * Monotone calibration of the model's output into `P_fail` (version 2; absent in version 1 bundles and when trained
   * with `pFailCalibration: "none"`): the router applies it, and the presets are thresholds on the calibrated value.
   */
  pFailCalibration: pFailCalibrationSchema.optional(),
  /**
   * The agreement rule's log-odds the trees were trained on top of (version 3; libxgboost's `base_margin`): the model's
   * margin starts there instead of at `logit(base_score)`. Absent: the model predicts alone, as in versions 1 and 2.
   */
  ruleOffset: ruleOffsetSchema.optional(),
  /**
   * Thresholds (escalate iff `P_fail > threshold`), calibrated on the out-of-fold predictions of a
   * cross-validation or on a validation split (see `metadata.validation.calibration`).
   */
  presets: z.object({ economy: threshold, balanced: threshold, "baseline-match": threshold }).catchall(threshold),
  metadata: z.looseObject({
    /** Data set the router was trained on (e.g. `gsm8k`). */
    dataset: z.string(),
    /** Tool and version that wrote the bundle. */
    createdBy: z.string(),
    createdAt: z.string().optional(),
    /** Rows the model was trained on (all traces with cross-validation). */
    trainRows: z.number().int().nonnegative(),
    /** Rows the presets were calibrated on (all traces, out of fold, with cross-validation). */
    validationRows: z.number().int().nonnegative(),
    seed: z.number().optional(),
    params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    /**
     * Boosting rounds: kept, trained, maximum; with cross-validation `best` = `trained` = the median of
     * the folds' best round counts (`folds`), the final model being trained on all traces without
     * early stopping.
     */
    rounds: z
      .looseObject({
        best: z.number(),
        trained: z.number(),
        max: z.number(),
        folds: z.array(z.number().int()).optional(),
      })
      .optional(),
    validation: z.looseObject({
      /** How the figures were measured: out-of-fold predictions or a held-out split (absent in older bundles). */
      calibration: z.enum(["validation", "cross-validation"]).optional(),
      /** Number of folds, with `calibration: "cross-validation"`. */
      folds: z.number().int().min(2).optional(),
      auc: metric,
      logloss: metric,
      crowdErrorRate: metric.optional(),
      crowdAccuracy: metric.optional(),
      oracleAccuracy: metric.optional(),
      costModel: z.enum(["recorded", "unit"]).optional(),
      /** `recallOfCrowdErrors@<preset>` and the other figures per preset. */
      presets: z.record(z.string(), presetFiguresSchema).optional(),
      /** The bootstrap behind the presets' intervals (version 2). */
      bootstrap: z
        .looseObject({ resamples: z.number().int().positive(), seed: z.number().int(), level: z.number().gt(0).lt(1) })
        .optional(),
    }),
    /** Feature importance by gain (`XGBoosterFeatureScore`), for features used in a split. */
    importance: z.record(z.string(), z.number()),
  }),
});

/** A router bundle; see {@link routerBundleSchema}. */
export type RouterBundle = z.infer<typeof routerBundleSchema>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Validates a router bundle object (format, presets, metadata, and that the model is a supported
 * XGBoost model carrying the same feature names).
 *
 * @throws RouterModelError naming the field at fault.
 */
export function parseRouterBundle(json: unknown, source = "router bundle"): RouterBundle {
  const bundle = validate(routerBundleSchema, json, {
    error: RouterModelError,
    field: (path) => `${source}: ${path || "(root)"}`,
    message: (issues) => `invalid router bundle: ${issues[0]?.message}.`,
    fix: "write bundles with `pyramid-moa train` (or saveRouterBundle).",
  });
  const model = parseXGBoostModel(bundle.model, `${source} model`);
  if (model.featureNames) {
    const diff = firstDifference(model.featureNames, bundle.featureNames);
    if (diff) {
      throw new RouterModelError(`the bundle's featureNames differ from its model's: ${diff}.`, {
        field: `${source}: featureNames`,
        fix: "the bundle is inconsistent; train it again with `pyramid-moa train`.",
      });
    }
  } else if (bundle.featureNames.length !== model.numFeature) {
    throw new RouterModelError(
      `${bundle.featureNames.length} featureNames for a model with ${model.numFeature} features.`,
      {
        field: `${source}: featureNames`,
        fix: "the bundle is inconsistent; train it again with `pyramid-moa train`.",
      },
    );
  }
  return bundle;
}

/** Builds the router of a (validated) bundle, with its presets. */
export function routerFromBundle(bundle: RouterBundle, source = "router bundle"): XGBoostRouter {
  const members = (bundle.metadata as { members?: unknown }).members;
  const memberNames =
    Array.isArray(members) && members.every((m) => typeof m === "string") ? (members as string[]) : undefined;
  return XGBoostRouter.fromJSON(bundle.model, {
    featureNames: bundle.featureNames,
    presets: bundle.presets,
    source,
    memberNames,
    calibration: bundle.pFailCalibration,
    ruleOffset: bundle.ruleOffset,
  });
}

/** Reads and validates a router bundle file (use {@link loadRouter} for the router itself). */
export function loadRouterBundle(path: string): RouterBundle {
  return parseRouterBundle(readJsonFile(path), path);
}

/**
 * Loads a router from a file: a pyramid-moa router bundle (`format: "pyramid-moa-router"`, with
 * presets), or a bare XGBoost JSON model (as `save_model("m.json")` writes it, no presets).
 *
 * @throws RouterModelError for an unreadable, malformed or unsupported file.
 */
export function loadRouter(path: string): XGBoostRouter {
  const json = readJsonFile(path);
  if (isRecord(json) && "format" in json) {
    if (json.format !== ROUTER_BUNDLE_FORMAT) {
      throw new RouterModelError(`unknown router file format ${JSON.stringify(json.format)}.`, {
        field: `${path}: format`,
        fix: `pass a "${ROUTER_BUNDLE_FORMAT}" bundle or a bare XGBoost JSON model.`,
      });
    }
    return routerFromBundle(parseRouterBundle(json, path), path);
  }
  if (isRecord(json) && "learner" in json) return XGBoostRouter.fromJSON(json, { source: path });
  throw new RouterModelError("neither a router bundle nor an XGBoost JSON model.", {
    field: path,
    fix: `pass a "${ROUTER_BUNDLE_FORMAT}" bundle (from \`pyramid-moa train\`) or the JSON of XGBoost's save_model.`,
  });
}

/** Replaces NaN/Infinity by null, recursively, so figures survive JSON (which has no NaN). */
function jsonSafe(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonSafe(v)]));
  return value;
}

/**
 * Serializes a bundle: pretty-printed, except the (large) model, kept on one line. Undefined
 * figures (NaN) are written as `null`.
 */
export function serializeRouterBundle(bundle: RouterBundle): string {
  const { model, ...rest } = bundle;
  const marker = "\u0000MODEL\u0000";
  const head = JSON.stringify(jsonSafe({ ...rest, model: marker }), null, 2);
  return `${head.replace(JSON.stringify(marker), () => JSON.stringify(model))}\n`;
}

/** Validates and writes a bundle to `path` (creating the folder). */
export function saveRouterBundle(path: string, bundle: RouterBundle): void {
  const text = serializeRouterBundle(bundle);
  parseRouterBundle(JSON.parse(text), path);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}
