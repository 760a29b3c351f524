import type { FeatureVector } from "../features/types.js";
import { featureValue } from "../features/types.js";
import type { Router } from "./types.js";

/**
 * The default router, usable before any model is trained: `P_fail = 1 - vote share` of the largest answer
 * cluster (1 when no member answered).
 */
export class AgreementRouter implements Router {
  /** It reads `vote_share` only, so crowd schedules can settle its decision exactly before every member answered. */
  get readsFeatures(): readonly string[] {
    return ["vote_share"];
  }

  /** Returns `1 - vote_share`. */
  predict(features: FeatureVector): number {
    const share = featureValue(features, "vote_share");
    return Number.isNaN(share) ? 1 : 1 - share;
  }
}
