import { describe, expect, it } from "vitest";
import { computeFeatures, featureNames, featureValue } from "../../src/index.js";
import { candidate } from "../helpers/candidate.js";

describe("computeFeatures", () => {
  it("computes agreement and length features, NaN for absent log-probabilities and confidence", () => {
    const f = computeFeatures([
      candidate(0, "the answer is 4", "4"),
      candidate(1, "answer 4", "4"),
      candidate(2, "it is 5 ok", "5"),
    ]);
    expect(f.names).toEqual(featureNames(3));
    expect(f.values).toHaveLength(featureNames(3).length);
    expect(featureValue(f, "members_answered")).toBe(3);
    expect(featureValue(f, "vote_share")).toBeCloseTo(2 / 3, 12);
    expect(featureValue(f, "distinct_answers")).toBe(2);
    expect(featureValue(f, "answer_entropy")).toBeCloseTo(-(2 / 3) * Math.log(2 / 3) - (1 / 3) * Math.log(1 / 3), 12);
    expect(featureValue(f, "unanimous")).toBe(0);
    expect([0, 1, 2].map((i) => featureValue(f, `agrees_with_majority_${i}`))).toEqual([1, 1, 0]);
    expect(featureValue(f, "length_mean")).toBeCloseTo((15 + 8 + 10) / 3, 12);
    // Lengths 15, 8, 10: mean 11, deviations 4, -3, -1 -> population variance 26/3.
    expect(featureValue(f, "length_std")).toBeCloseTo(Math.sqrt(26 / 3), 12);
    expect(featureValue(f, "length_cv")).toBeCloseTo(Math.sqrt(26 / 3) / 11, 12);
    // Word sets {the,answer,is,4}, {answer,4}, {it,is,5,ok}: Jaccard 2/4, 1/7 and 0 -> mean (1/2 + 1/7) / 3 = 3/14.
    expect(featureValue(f, "pairwise_similarity")).toBeCloseTo(3 / 14, 12);
    for (const name of [
      "avg_logprob_0",
      "min_prob_0",
      "avg_logprob_mean",
      "min_prob_min",
      "confidence_0",
      "confidence_mean",
    ]) {
      expect(featureValue(f, name), name).toBeNaN();
    }
  });

  it("reads log-probabilities and self-reported confidence when present", () => {
    const f = computeFeatures([
      candidate(0, "4", "4", { logprobs: [-0.1, -0.3], confidence: 0.9 }),
      candidate(1, "4", "4", { logprobs: [-2], confidence: 0.5 }),
    ]);
    expect(featureValue(f, "avg_logprob_0")).toBeCloseTo(-0.2, 12);
    expect(featureValue(f, "min_prob_0")).toBeCloseTo(Math.exp(-0.3), 12);
    expect(featureValue(f, "avg_logprob_mean")).toBeCloseTo(-1.1, 12);
    expect(featureValue(f, "min_prob_min")).toBeCloseTo(Math.exp(-2), 12);
    expect(featureValue(f, "confidence_mean")).toBeCloseTo(0.7, 12);
    expect(featureValue(f, "unanimous")).toBe(1);
  });

  it("treats failed members as not answered, with NaN per-member features", () => {
    const f = computeFeatures([
      candidate(0, "4", "4"),
      candidate(1, "", null, { error: "Error: 500" }),
      candidate(2, "4", "4"),
    ]);
    expect(featureValue(f, "members_answered")).toBe(2);
    expect(featureValue(f, "vote_share")).toBe(1);
    expect(featureValue(f, "unanimous")).toBe(0);
    expect(featureValue(f, "agrees_with_majority_1")).toBeNaN();
    const none = computeFeatures([candidate(0, "", null, { error: "x" })]);
    expect(featureValue(none, "members_answered")).toBe(0);
    expect(featureValue(none, "vote_share")).toBeNaN();
    expect(none.values.every((v) => Number.isNaN(v) || Number.isFinite(v))).toBe(true);
  });
});
