import type { FeatureVector } from "../../features/types.js";
import { featureValue } from "../../features/types.js";
import type { Router } from "../../router/types.js";

/**
 * "Escalate unless unanimous" as a router: `P_fail` 0 when every member gave the same answer (`unanimous`), else 1.
 * It reads an answer feature only, so crowd schedules settle it exactly.
 */
export class UnanimityRule implements Router {
  /** Reads `unanimous`. */
  readonly readsFeatures: readonly string[] = ["unanimous"];

  /** 0 when unanimous, else 1. */
  predict(features: FeatureVector): number {
    return featureValue(features, "unanimous") === 1 ? 0 : 1;
  }
}

/**
 * "Escalate unless a majority agrees" as a router: `P_fail` 0 when the largest answer cluster holds a strict majority
 * of all `members` (`vote_share * members_answered * 2 > members`), else 1.
 */
export class MajorityRule implements Router {
  /** Reads `vote_share` and `members_answered`. */
  readonly readsFeatures: readonly string[] = ["vote_share", "members_answered"];

  /** The rule for a tier of `members` members. */
  constructor(private readonly members: number) {}

  /** 0 when a strict majority of the members agree, else 1. */
  predict(features: FeatureVector): number {
    const share = featureValue(features, "vote_share");
    const answered = featureValue(features, "members_answered");
    if (Number.isNaN(share) || Number.isNaN(answered)) return 1;
    return Math.round(share * answered) * 2 > this.members ? 0 : 1;
  }
}

/** The crowd's majority alone as a router: never escalates (`P_fail` 0, reading nothing). */
export class NeverEscalate implements Router {
  /** Reads nothing. */
  readonly readsFeatures: readonly string[] = [];

  /** Always 0. */
  predict(): number {
    return 0;
  }
}
