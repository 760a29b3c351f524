import type { FeatureVector } from "../features/types.js";

/**
 * Estimates `P_fail`, the probability that a tier's majority answer is wrong, from its feature vector.
 */
export interface Router {
  /** Returns `P_fail` in [0, 1]. */
  predict(features: FeatureVector): number;
  /**
   * The feature names the router was trained on, in order. When set, the pyramid refuses to use the
   * router with a feature vector whose names differ.
   */
  readonly featureNames?: readonly string[];
  /** Threshold presets (e.g. `economy`, `balanced`, `baseline-match`) calibrated with the router. */
  readonly presets?: Readonly<Record<string, number>>;
  /**
   * Names of the tier members the router was trained with, in order. Per-member features are positional, so a
   * pyramid whose tier lists the same members in another order is refused.
   */
  readonly memberNames?: readonly string[];
  /**
   * A digest of the router's parameters (e.g. SHA-256 of its model), part of the pyramid's LLM-cache key so that
   * pyramids with different routers never share cached answers. Routers without one are identified by class name
   * and their public fields.
   */
  readonly digest?: string;
  /**
   * The features `predict` reads, when the router can tell. Crowd schedules (`anytime`, `waves`) decide a tier
   * before every member answered only when all of them are answer features (see `isSettled`); a router without it
   * makes those schedules wait for every member.
   */
  readonly readsFeatures?: readonly string[];
}
