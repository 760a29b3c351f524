import { z } from "zod";
import { PyramidConfigError } from "../errors/index.js";
import { validate } from "../errors/validate.js";
import {
  bootstrapOptionsSchema,
  bootstrapProfile,
  intervalsAt,
  type BootstrapOptions,
  type PresetIntervals,
} from "./bootstrap.js";
import {
  baselineMatchThreshold,
  candidateThresholds,
  performanceAt,
  calibrationProfile,
  thresholdForAccuracyGap,
  thresholdForCostSaving,
  thresholdForEscalationRate,
  tierBaselines,
  type CalibrationResult,
  type GradedPrediction,
  type CalibrationPoint,
} from "./calibrate.js";
import { selectWithConfidence, targetProbability } from "./robust_presets.js";
import { describeGuarantee, riskControlledThreshold } from "./risk_control.js";
import { guaranteedDelta } from "./risk_floor.js";

/** Names of the threshold presets every router bundle carries. */
export const PRESET_NAMES = ["economy", "balanced", "baseline-match"] as const;

/** One of {@link PRESET_NAMES}. */
export type PresetName = (typeof PRESET_NAMES)[number];

/**
 * With `confidence`, the target must hold in at least that share of bootstrap resamples of the calibration set (paired:
 * accuracy targets are compared with the crowd and Oracle on the same resample); without it, on the set itself.
 */
const confidence = z.number().gt(0).lt(1).optional();

/** How a preset's threshold is chosen on the calibration set. */
export const presetSpecSchema = z.discriminatedUnion("kind", [
  /** The most accurate threshold that saves at least `target` of the Oracle-alone cost. */
  z.object({ kind: z.literal("cost-saving"), target: z.number().min(0).max(1), confidence }),
  /** The lowest threshold that escalates at most `target` of the queries. */
  z.object({ kind: z.literal("escalation-rate"), target: z.number().min(0).max(1), confidence }),
  /** The cheapest threshold closing at least `fraction` of the crowd-to-Oracle accuracy gap. */
  z.object({ kind: z.literal("accuracy-gap"), fraction: z.number().min(0).max(1), confidence }),
  /** The cheapest threshold whose accuracy is at least the Oracle alone's. */
  z.object({ kind: z.literal("baseline-match"), confidence }),
  /**
   * Learn-then-Test (`src/policy/risk_control.ts`): the highest threshold certified, by fixed-sequence tests on the
   * calibration rows, to give up at most `delta` of accuracy against the Oracle alone with probability at least
   * `1 - alpha`. `test`: `"binomial"` (default; exact binomial tests that at most `delta` of queries are harmed, i.e.
   * answered right by the Oracle and wrong by the pyramid) or `"betting"` (betting tests of the net accuracy given up).
   */
  z.object({
    kind: z.literal("risk-control"),
    delta: z.number().min(0).lt(1),
    alpha: z.number().gt(0).lt(1),
    test: z.enum(["binomial", "betting", "discordant", "combined", "trinomial", "weighted"]).optional(),
    /**
     * Test and state the guarantee at `max(delta, certifiableDelta(test, n, alpha))` (`src/policy/risk_floor.ts`): the
     * smallest loss n calibration rows can certify, so that a small calibration set still certifies thresholds.
     */
    widenToCertifiable: z.boolean().optional(),
    /** Unused by Learn-then-Test (its `alpha` is the guarantee's); accepted so that code reading `confidence` of any spec works. */
    confidence,
  }),
]);

/** A preset definition; see `presetSpecSchema`. */
export type PresetSpec = z.infer<typeof presetSpecSchema>;

/**
 * The default presets, calibrated by `trainRouter` on the out-of-fold predictions of a
 * cross-validation over all the training traces (or, with `calibration: "validation"`, on a
 * held-out validation split), with sampling noise accounted for: each target must hold in at least
 * **90% of 1000 bootstrap resamples** of those predictions (seeded by the training seed), not just on
 * the set itself, since a threshold that only just meets a target on the set misses it on about half
 * of the unseen sets of that size. Escalate iff `P_fail > threshold`; all three are the thresholds
 * of one router, ordered by how much they spend (`economy` never costs more than `balanced`, which
 * never costs more than `baseline-match`):
 *
 * - `economy`: the most accurate threshold that saves at least **70%** of the Oracle-alone cost in
 *   90% of the resamples; if that would cost more than `balanced`, `balanced`'s threshold (which then
 *   saves even more). The cheap end; may lose some accuracy against the Oracle.
 * - `balanced`: the cheapest threshold whose accuracy closes at least **half of the accuracy gap**
 *   between the crowd alone and the Oracle alone (accuracy >= crowd + 0.5 x (oracle - crowd), both
 *   measured on the same resample) in 90% of the resamples. Defined by accuracy rather than by a
 *   second saving target (say 50%) so that it always lies between `economy`-like spending and
 *   `baseline-match`: a fixed 50% saving can cost more than `baseline-match` for a good router,
 *   which would make the name meaningless. It is never costlier than `baseline-match`.
 * - `baseline-match`: the cheapest threshold whose accuracy is at least the Oracle alone's (on the
 *   same resample: a paired comparison) in 90% of the resamples (the paper's headline operating
 *   point: Oracle accuracy at a fraction of its cost). Escalating everything always qualifies.
 *
 * "Cheapest" is by the mean cost on the whole calibration set. A target met in fewer than 90% of the
 * resamples at every threshold falls back to the threshold where it is met most often and is
 * reported `feasible: false` in the bundle's metadata: a saving target the crowd alone cannot reach
 * (a crowd costing more than 30% of the Oracle) falls back to escalating nothing. When the traces
 * carry no costs (the Oracle alone costs 0), costs are taken as 1 per Oracle call and 0 for the
 * crowd, so the 70% saving becomes "escalate at most 30% of queries". Drop `confidence` from a spec
 * to choose its threshold on the set itself (the behaviour of version 1 bundles).
 */
export const DEFAULT_PRESET_SPECS: Readonly<Record<PresetName, PresetSpec>> = {
  economy: { kind: "cost-saving", target: 0.7, confidence: 0.9 },
  balanced: { kind: "accuracy-gap", fraction: 0.5, confidence: 0.9 },
  "baseline-match": { kind: "baseline-match", confidence: 0.9 },
};

/**
 * Presets with a stated guarantee (`risk-control` specs, Learn-then-Test; `src/policy/risk_control.ts`): each is the
 * highest threshold certified on the calibration rows, by exact binomial tests in a fixed sequence (from the most
 * escalation to the least), to harm at most `delta` of queries (the Oracle right, the pyramid wrong), hence to give
 * up at most `delta` of accuracy against the Oracle alone, with probability at least `1 - alpha` (90%):
 *
 * - `economy`: accuracy at least the Oracle's minus 3 points;
 * - `balanced`: at least the Oracle's minus 2 points;
 * - `baseline-match`: at least the Oracle's minus 1 point, by the `"weighted"` exact test of the NET loss (harms minus
 *   gains, ordered by harms minus half the gains; chosen on synthetic workloads, `scripts/net_test_study.ts`), which
 *   credits the queries the crowd gets right and the Oracle wrong.
 *
 * With `widenToCertifiable`, each delta is widened on a small calibration set to the smallest loss its n rows can
 * certify at alpha with the preset's test (`certifiableDelta`, `src/policy/risk_floor.ts`; a function of n and alpha
 * only, so the guarantee stays valid): with n = 209 rows, 1 point becomes 1.24 points for the weighted test, while
 * 2 and 3 points are kept. The delta used is in each preset's report (`delta`) and its guarantee text.
 *
 * `trainRouter` stores them in every bundle next to the bootstrap presets, as `economy-guaranteed`,
 * `balanced-guaranteed` and `baseline-match-guaranteed` (`metadata.validation.guaranteedPresets` holds each guarantee
 * in words and its figures on the calibration rows).
 *
 * The guarantee is over the draw of the calibration rows, for queries exchangeable with them; with cross-validation
 * the calibration rows are out-of-fold predictions of the fold models, which stand in for the final model's
 * (`docs/routers.md`).
 */
export const GUARANTEED_PRESET_SPECS: Readonly<Record<PresetName, PresetSpec>> = {
  economy: { kind: "risk-control", delta: 0.03, alpha: 0.1, test: "binomial", widenToCertifiable: true },
  balanced: { kind: "risk-control", delta: 0.02, alpha: 0.1, test: "binomial", widenToCertifiable: true },
  "baseline-match": { kind: "risk-control", delta: 0.01, alpha: 0.1, test: "weighted", widenToCertifiable: true },
};

/** Options of {@link calibratePresets}. */
export interface CalibratePresetsOptions {
  /**
   * The bootstrap behind specs with `confidence` and behind every preset's intervals (default 1000 resamples, seed 1,
   * level 0.9). `false`: no bootstrap (then no spec may have `confidence`, and reports carry no intervals).
   */
  readonly bootstrap?: BootstrapOptions | false;
}

/** What calibration found for one preset. */
export interface PresetReport {
  /** The preset's definition. */
  readonly spec: PresetSpec;
  /** The threshold, escalate iff `P_fail > threshold`. */
  readonly threshold: number;
  /** Whether the target was met on the calibration set. */
  readonly feasible: boolean;
  /** Escalation rate on the calibration set. */
  readonly escalationRate: number;
  /** Accuracy on the calibration set. */
  readonly accuracy: number;
  /** Cost saving against the Oracle alone on the calibration set. */
  readonly costSaving: number;
  /** Fraction of the crowd's errors escalated on the calibration set. */
  readonly recallOfCrowdErrors: number;
  /** Whether the threshold was raised to keep the presets ordered by cost (see DEFAULT_PRESET_SPECS). */
  readonly raisedForOrder: boolean;
  /** For a `risk-control` spec: its guarantee in words (a threshold raised to a preset with a smaller delta keeps it). */
  readonly guarantee?: string;
  /**
   * For a `risk-control` spec: the delta its guarantee is stated at, the spec's own or, with `widenToCertifiable`, the
   * smallest loss the calibration rows can certify when that is larger (`src/policy/risk_floor.ts`).
   */
  readonly delta?: number;
  /** Share of bootstrap resamples in which the target holds at the threshold (absent without a bootstrap). */
  readonly targetProbability?: number;
  /** Percentile intervals of the figures over the bootstrap resamples (absent without a bootstrap). */
  readonly intervals?: PresetIntervals;
}

/** The calibrated presets: thresholds by name, and how each does on the calibration set. */
export interface CalibratedPresets {
  /** `{ economy, balanced, "baseline-match" }` thresholds. */
  readonly presets: Record<PresetName, number>;
  /** Per-preset figures on the calibration set. */
  readonly reports: Record<PresetName, PresetReport>;
  /** `"recorded"` when the traces' own costs were used, `"unit"` when they had none (see above). */
  readonly costModel: "recorded" | "unit";
  /** The bootstrap used (absent with `bootstrap: false`). */
  readonly bootstrap?: { readonly resamples: number; readonly seed: number; readonly level: number };
}

function calibrateOne(rows: readonly GradedPrediction[], spec: PresetSpec, seed: number): CalibrationResult {
  switch (spec.kind) {
    case "risk-control": {
      const delta = guaranteedDelta(spec, rows.length);
      const choice = riskControlledThreshold(rows, candidateThresholds(rows), { ...spec, delta }, seed);
      return { threshold: choice.threshold, point: performanceAt(rows, choice.threshold), feasible: choice.certified };
    }
    case "cost-saving":
      return thresholdForCostSaving(rows, spec.target);
    case "escalation-rate":
      return thresholdForEscalationRate(rows, spec.target);
    case "accuracy-gap":
      return thresholdForAccuracyGap(rows, spec.fraction);
    case "baseline-match":
      return baselineMatchThreshold(rows);
  }
}

/**
 * Calibrates the presets on graded predictions the router did not train on (out-of-fold or
 * held-out): a spec with `confidence` through a seeded bootstrap of the rows (see
 * {@link DEFAULT_PRESET_SPECS}), one without on the rows themselves. Every report carries its
 * target's probability and percentile intervals over the same bootstrap.
 *
 * @param specs Preset definitions; defaults to {@link DEFAULT_PRESET_SPECS}.
 * @throws PyramidConfigError for no rows, or a spec with `confidence` and `bootstrap: false`.
 */
export function calibratePresets(
  rows: readonly GradedPrediction[],
  specs: Readonly<Record<PresetName, PresetSpec>> = DEFAULT_PRESET_SPECS,
  options: CalibratePresetsOptions = {},
): CalibratedPresets {
  tierBaselines(rows); // refuses an empty set
  const oracleTotal = rows.reduce((sum, row) => sum + (row.oracleOnlyCost ?? row.oracleCost), 0);
  const costModel = oracleTotal > 0 ? "recorded" : "unit";
  const graded: readonly GradedPrediction[] =
    costModel === "recorded" ? rows : rows.map((row) => ({ ...row, crowdCost: 0, oracleCost: 1, oracleOnlyCost: 1 }));
  const parsedSpecs = {} as Record<PresetName, PresetSpec>;
  for (const name of PRESET_NAMES) parsedSpecs[name] = parseSpec(specs[name], name);
  const bootstrap = options.bootstrap === false ? undefined : bootstrapOptionsSchema.parse(options.bootstrap ?? {});
  const thresholds = candidateThresholds(graded);
  const profile = bootstrap ? bootstrapProfile(graded, thresholds, bootstrap) : undefined;
  const points = profile ? calibrationProfile(graded, profile.thresholds) : [];
  const raw = {} as Record<PresetName, CalibrationResult>;
  for (const name of PRESET_NAMES) {
    const spec = parsedSpecs[name];
    if (spec.kind === "risk-control" || spec.confidence === undefined) {
      raw[name] = calibrateOne(graded, spec, bootstrap?.seed ?? 1);
      continue;
    }
    if (!profile) {
      throw new PyramidConfigError(`preset ${name} has a confidence but the bootstrap is off.`, {
        field: `presetSpecs.${name}.confidence`,
        fix: "drop confidence from the spec, or leave the bootstrap on.",
      });
    }
    const choice = selectWithConfidence(profile, points, spec, spec.confidence);
    raw[name] = { threshold: profile.thresholds[choice.index], point: points[choice.index], feasible: choice.feasible };
  }
  // Keep the presets ordered by cost: a higher threshold escalates less and never costs more.
  const chosen = {} as Record<PresetName, number>;
  chosen["baseline-match"] = raw["baseline-match"].threshold;
  chosen.balanced = Math.max(raw.balanced.threshold, chosen["baseline-match"]);
  chosen.economy = Math.max(raw.economy.threshold, chosen.balanced);
  const stated = statedDeltas(parsedSpecs, raw, chosen, graded.length);
  const reports = {} as Record<PresetName, PresetReport>;
  for (const name of PRESET_NAMES) {
    const threshold = chosen[name];
    const raised = threshold !== raw[name].threshold;
    const point = performanceAt(graded, threshold);
    const spec = parsedSpecs[name];
    // Every chosen threshold is a candidate, hence a column of the profile.
    const column = profile && { profile, j: profile.thresholds.indexOf(threshold) };
    const probability = column && targetProbability(column.profile, spec, column.j);
    let feasible = raw[name].feasible;
    if (raised)
      feasible =
        spec.kind !== "risk-control" && spec.confidence !== undefined && probability !== undefined
          ? probability >= spec.confidence - 1e-12
          : targetMet(graded, spec, point, stated[name]);
    reports[name] = {
      spec,
      threshold,
      feasible,
      escalationRate: point.escalationRate,
      accuracy: point.accuracy,
      costSaving: point.costSaving,
      recallOfCrowdErrors: point.recallOfCrowdErrors,
      raisedForOrder: raised,
      ...(spec.kind === "risk-control"
        ? { guarantee: describeGuarantee({ ...spec, delta: stated[name] ?? spec.delta }), delta: stated[name] }
        : {}),
      ...(column ? { targetProbability: probability, intervals: intervalsAt(column.profile, column.j) } : {}),
    };
  }
  const presets = {} as Record<PresetName, number>;
  for (const name of PRESET_NAMES) presets[name] = chosen[name];
  return {
    presets,
    reports,
    costModel,
    ...(profile ? { bootstrap: { resamples: profile.resamples, seed: profile.seed, level: profile.level } } : {}),
  };
}

function parseSpec(spec: PresetSpec, name: PresetName): PresetSpec {
  return validate(presetSpecSchema, spec, {
    field: `presetSpecs.${name}`,
    fix: 'see presetSpecSchema: e.g. { kind: "baseline-match", confidence: 0.9 }.',
  });
}

/**
 * The delta each `risk-control` preset's guarantee is stated at on `n` rows: its own (widened with
 * `widenToCertifiable`), or, when its threshold was raised to a costlier preset's, the larger of its own and that one's.
 */
function statedDeltas(
  specs: Readonly<Record<PresetName, PresetSpec>>,
  raw: Readonly<Record<PresetName, CalibrationResult>>,
  chosen: Readonly<Record<PresetName, number>>,
  n: number,
): Partial<Record<PresetName, number>> {
  const stated: Partial<Record<PresetName, number>> = {};
  let previous: number | undefined;
  for (const name of ["baseline-match", "balanced", "economy"] as const) {
    const spec = specs[name];
    const own = spec.kind === "risk-control" ? guaranteedDelta(spec, n) : undefined;
    const raised = chosen[name] !== raw[name].threshold;
    const delta = own !== undefined && raised && previous !== undefined ? Math.max(own, previous) : own;
    if (delta !== undefined) stated[name] = delta;
    previous = delta;
  }
  return stated;
}

/** Whether a (raised) preset still meets its own target (a `risk-control` one at its stated delta). */
function targetMet(
  rows: readonly GradedPrediction[],
  spec: PresetSpec,
  point: CalibrationPoint,
  statedDelta?: number,
): boolean {
  switch (spec.kind) {
    case "cost-saving":
      return point.costSaving >= spec.target;
    case "escalation-rate":
      return point.escalationRate <= spec.target;
    case "accuracy-gap": {
      const { crowdAccuracy, oracleAccuracy } = tierBaselines(rows);
      return point.accuracy >= crowdAccuracy + spec.fraction * (oracleAccuracy - crowdAccuracy) - 1e-12;
    }
    case "baseline-match":
      return point.accuracy >= tierBaselines(rows).oracleAccuracy - 1e-12;
    case "risk-control":
      return point.accuracy >= tierBaselines(rows).oracleAccuracy - (statedDelta ?? spec.delta) - 1e-12;
  }
}
