import type { EvalTraceLine } from "../../core/trace_schema.js";
import { PRESET_NAMES } from "../../policy/presets.js";
import { routerFromBundle, type RouterBundle } from "../bundle.js";
import { applyPFailCalibration } from "../calibration/calibrator.js";
import type { XGBoostRouter } from "../xgboost/xgboost_router.js";
import { boundaryTraces, pyramidDepth } from "./boundary_traces.js";
import { parseTrace, readTraces } from "./dataset.js";
import { calibrateJointPresets, type JointPresets, type JointRow } from "./joint_presets.js";
import type { TrainRouterOptions } from "./options.js";
import { trainRouter } from "./train_router.js";

/** Options of {@link trainBoundaryRouters}: those of `trainRouter`, applied at every boundary. */
export type TrainBoundaryRoutersOptions = TrainRouterOptions;

/** What {@link trainBoundaryRouters} returns. */
export interface TrainBoundaryRoutersResult {
  /** One bundle per boundary (after tier 0, 1, ...), its presets the joint ones. */
  readonly bundles: RouterBundle[];
  /** Their routers. */
  readonly routers: XGBoostRouter[];
  /** The joint presets and the figures they were chosen on. */
  readonly joint: JointPresets;
  /** The member names of each tier. */
  readonly tiers: string[][];
  /** Each trace's out-of-fold `P_fail` at every boundary (calibrated), by trace id: what the presets were chosen on. */
  readonly outOfFold: Map<string, number[]>;
}

/**
 * Trains one router per boundary of a deep pyramid from its graded traces (`pyramid-moa eval --tiers`): at boundary k
 * a `trainRouter` router on the features the graph computed there (the pool of tiers `0..k`), labelled by whether tier
 * k's answer is wrong; then chooses the presets of all boundaries together ({@link calibrateJointPresets}) on the
 * routers' out-of-fold `P_fail` (calibrated as each bundle calibrates it), with the same bootstrap guarantee as the
 * two-tier presets. Each bundle's `presets` are its boundary's joint thresholds (so `policy: "baseline-match"` at every
 * boundary runs the joint preset), and `metadata.pyramid` records the tiers, the boundary, the joint figures, and the
 * presets its boundary would get alone.
 *
 * @throws DataFormatError for traces of fewer than three tiers or of different pyramids; see `trainRouter`.
 */
export function trainBoundaryRouters(options: TrainBoundaryRoutersOptions): TrainBoundaryRoutersResult {
  const { traces: given, tracesFile, ...rest } = options;
  const where = (i: number): string => (tracesFile ? `${tracesFile} (trace ${i + 1})` : `traces[${i}]`);
  const traces: EvalTraceLine[] = tracesFile
    ? readTraces(tracesFile)
    : (given ?? []).map((trace, i) => parseTrace(trace, where(i)));
  const depth = pyramidDepth(traces, where);
  const tiers = (traces[0].tiers ?? []).map((tier) => tier.candidates.map((c) => c.model));
  const tierNames = (traces[0].tiers ?? []).map((tier) => tier.name);
  const results = Array.from({ length: depth - 1 }, (_, k) =>
    trainRouter({
      ...rest,
      traces: boundaryTraces(traces, k),
      dataset: `${rest.dataset ?? traces[0].benchmark} (boundary ${k}: ${tierNames[k]} -> ${tierNames[k + 1]})`,
    }),
  );
  // Out-of-fold P_fail of every trace at every boundary, on the calibrated scale the presets are thresholds on.
  const oof = results.map((result) => {
    const calibration = result.bundle.pFailCalibration;
    const byId = new Map<string, number>();
    result.calibrationRows.ids.forEach((id, i) => {
      const raw = result.calibrationRows.rawPFail[i];
      byId.set(id, calibration ? applyPFailCalibration(calibration, raw) : raw);
    });
    return byId;
  });
  const ordered = [...traces].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const rows: JointRow[] = ordered.map((trace) => ({
    pFail: oof.map((byId) => byId.get(trace.id) ?? Number.NaN),
    correct: (trace.tiers ?? []).map((tier) => tier.correct),
    cost: (trace.tiers ?? []).map((tier) => tier.costUsd),
  }));
  const o = { seed: rest.seed ?? 1, resamples: rest.bootstrap?.resamples };
  const joint = calibrateJointPresets(rows, { seed: o.seed, ...(o.resamples ? { resamples: o.resamples } : {}) });
  const bundles = results.map((result, k): RouterBundle => {
    const presets = Object.fromEntries(
      PRESET_NAMES.map((name) => [name, joint.presets[name][k]]),
    ) as RouterBundle["presets"];
    return {
      ...result.bundle,
      presets,
      metadata: {
        ...result.bundle.metadata,
        pyramid: {
          boundary: k,
          tiers,
          tierNames,
          jointPresets: joint.reports,
          apexAccuracy: joint.apexAccuracy,
          crowdAccuracy: joint.crowdAccuracy,
          bootstrap: joint.bootstrap,
          combinations: joint.combinations,
          presetsOfThisBoundaryAlone: result.bundle.presets,
        },
      },
    };
  });
  return {
    bundles,
    routers: bundles.map((b, k) => routerFromBundle(b, `boundary ${k} router`)),
    joint,
    tiers,
    outOfFold: new Map(ordered.map((trace, i) => [trace.id, [...rows[i].pFail]])),
  };
}
