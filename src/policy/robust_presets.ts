import type { BootstrapProfile } from "./bootstrap.js";
import type { CalibrationPoint } from "./calibrate.js";

/** A preset target, as `targetHolds` checks it on one resample. */
export type PresetTarget =
  | { readonly kind: "cost-saving"; readonly target: number }
  | { readonly kind: "escalation-rate"; readonly target: number }
  | { readonly kind: "accuracy-gap"; readonly fraction: number }
  | { readonly kind: "baseline-match" };

/** Whether accuracy targets are met up to rounding (0.8 vs 0.8000000000000002 counts as met). */
const TOLERANCE = 1e-12;

/** Whether the target holds in resample `b` at `thresholds[j]` (accuracy targets against the same resample's tiers). */
export function targetHolds(profile: BootstrapProfile, target: PresetTarget, b: number, j: number): boolean {
  const at = b * profile.thresholds.length + j;
  switch (target.kind) {
    case "baseline-match":
      return profile.accuracy[at] >= profile.oracleAccuracy[b] - TOLERANCE;
    case "accuracy-gap": {
      const crowd = profile.crowdAccuracy[b];
      return profile.accuracy[at] >= crowd + target.fraction * (profile.oracleAccuracy[b] - crowd) - TOLERANCE;
    }
    case "cost-saving":
      return profile.costSaving[at] >= target.target - TOLERANCE;
    case "escalation-rate":
      return profile.escalationRate[at] <= target.target + TOLERANCE;
  }
}

/** The share of resamples in which the target holds at `thresholds[j]`. */
export function targetProbability(profile: BootstrapProfile, target: PresetTarget, j: number): number {
  let held = 0;
  for (let b = 0; b < profile.resamples; b++) if (targetHolds(profile, target, b, j)) held++;
  return held / profile.resamples;
}

/** What {@link selectWithConfidence} chose. */
export interface ConfidentChoice {
  /** Index into the profile's thresholds. */
  readonly index: number;
  /** Whether the target holds in at least `confidence` of the resamples there. */
  readonly feasible: boolean;
  /** The share of resamples in which it holds there. */
  readonly probability: number;
}

/**
 * Chooses a threshold whose target holds in at least `confidence` of the bootstrap resamples:
 *
 * - accuracy targets (`baseline-match`, `accuracy-gap`): the cheapest such threshold, by the mean cost on the whole set
 *   (`points`, aligned with the profile's thresholds; ties go to the higher threshold, which escalates less);
 * - `cost-saving` / `escalation-rate`: the lowest such threshold (escalating the most, hence the most accurate, within
 *   the budget).
 *
 * When no threshold reaches `confidence`, the one where the target holds most often (ties: the cheapest), with
 * `feasible: false`.
 */
export function selectWithConfidence(
  profile: BootstrapProfile,
  points: readonly CalibrationPoint[],
  target: PresetTarget,
  confidence: number,
): ConfidentChoice {
  const probabilities = profile.thresholds.map((_, j) => targetProbability(profile, target, j));
  const ok = probabilities.map((p) => p >= confidence - TOLERANCE);
  const cheaper = (a: number, b: number): boolean =>
    points[a].meanCost < points[b].meanCost || (points[a].meanCost === points[b].meanCost && a > b);
  let best = -1;
  if (target.kind === "baseline-match" || target.kind === "accuracy-gap") {
    ok.forEach((yes, j) => {
      if (yes && (best < 0 || cheaper(j, best))) best = j;
    });
  } else {
    best = ok.indexOf(true);
  }
  if (best >= 0) return { index: best, feasible: true, probability: probabilities[best] };
  let fallback = 0;
  probabilities.forEach((p, j) => {
    if (p > probabilities[fallback] || (p === probabilities[fallback] && cheaper(j, fallback))) fallback = j;
  });
  return { index: fallback, feasible: false, probability: probabilities[fallback] };
}
