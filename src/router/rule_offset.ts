import { z } from "zod";
import { RouterModelError } from "../errors/index.js";
import { fitPlatt } from "./calibration/platt.js";

/**
 * How far `1 - vote_share` is clipped from 0 and 1 before its log-odds are taken: a unanimous crowd (`1 - vote_share`
 * = 0) gets the log-odds of 0.02 (-3.9), not minus infinity.
 */
export const RULE_OFFSET_CLIP = 0.02;

/**
 * zod schema of a router's starting point (the `ruleOffset` field of a router bundle, version 3): the agreement rule's
 * log-odds, `slope * logit(clip(1 - vote_share)) + intercept`, added to the trees' sum in place of XGBoost's
 * `base_score` (libxgboost's `base_margin`). The trees learn a correction on top of the rule.
 */
export const ruleOffsetSchema = z
  .object({
    /** The rule: `1 - vote_share` (the agreement router). */
    rule: z.literal("agreement"),
    /** The feature it reads. */
    feature: z.literal("vote_share"),
    /** `1 - vote_share` is clipped to `[clip, 1 - clip]`; a missing vote share counts as 0 (rule 1). */
    clip: z.number().gt(0).lt(0.5),
    /** Slope on the clipped rule's log-odds (>= 0: more agreement never raises the offset). */
    slope: z.number().nonnegative(),
    /** Intercept. */
    intercept: z.number(),
    /** Rows the slope and intercept were fitted on (Platt's logistic fit on the training rows). */
    rows: z.number().int().positive(),
  })
  .strict();

/** A router's starting point; see {@link ruleOffsetSchema}. */
export type RuleOffset = z.infer<typeof ruleOffsetSchema>;

/** The clipped rule `1 - vote_share` (NaN vote share: no member answered, rule 1). */
export function clippedRule(voteShare: number, clip: number): number {
  const rule = Number.isNaN(voteShare) ? 1 : 1 - voteShare;
  return Math.min(Math.max(rule, clip), 1 - clip);
}

/**
 * The offset (log-odds, rounded to float32 as libxgboost stores a `base_margin`) of one row, given its vote share.
 */
export function ruleOffsetMargin(offset: RuleOffset, voteShare: number): number {
  const p = clippedRule(voteShare, offset.clip);
  return Math.fround(offset.slope * Math.log(p / (1 - p)) + offset.intercept);
}

/**
 * Fits the offset's slope and intercept on training rows: a logistic regression of the labels (1 = the crowd was wrong)
 * on the clipped rule's log-odds (Platt's fit, slope kept positive). The trees then start from the rule, on the scale
 * of the labels.
 */
export function fitRuleOffset(voteShares: ArrayLike<number>, labels: ArrayLike<number>): RuleOffset {
  const n = voteShares.length;
  if (n === 0) {
    throw new RouterModelError("no rows to fit the agreement rule's offset on.", {
      field: "ruleOffset",
      fix: "train on at least one labelled query.",
    });
  }
  const scores = Float64Array.from({ length: n }, (_, i) => clippedRule(voteShares[i], RULE_OFFSET_CLIP));
  const hard = Float64Array.from({ length: n }, (_, i) => (labels[i] >= 0.5 ? 1 : 0));
  const { a, b } = fitPlatt(scores, hard);
  return {
    rule: "agreement",
    feature: "vote_share",
    clip: RULE_OFFSET_CLIP,
    slope: Math.max(0, a),
    intercept: b,
    rows: n,
  };
}

/** The offsets of rows `rows` of a row-major matrix whose vote share is column `column`. */
export function ruleOffsetsOf(
  offset: RuleOffset,
  data: Float32Array,
  cols: number,
  column: number,
  rows: readonly number[],
): Float32Array {
  return Float32Array.from(rows, (i) => ruleOffsetMargin(offset, data[i * cols + column]));
}

/**
 * Monotone directions known in advance, by feature name: more agreement never raises `P_fail` (-1), more disagreement
 * never lowers it (+1). Other features are left free (0).
 */
export function monotoneDirection(name: string): -1 | 0 | 1 {
  if (
    name === "vote_share" ||
    name === "unanimous" ||
    name === "pairwise_similarity" ||
    name === "math_key_vote_share" ||
    name === "behaviour_cluster_share" ||
    name === "behaviour_pairwise_agreement" ||
    /^agrees_with_majority_\d+$/.test(name)
  ) {
    return -1;
  }
  if (name === "distinct_answers" || name === "answer_entropy") return 1;
  return 0;
}

/** XGBoost's `monotone_constraints` parameter for these features, e.g. `(0,-1,1,0)`. */
export function monotoneConstraints(featureNames: readonly string[]): string {
  return `(${featureNames.map(monotoneDirection).join(",")})`;
}
