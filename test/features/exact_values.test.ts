import { describe, expect, it } from "vitest";
import { computeFeatures, featureNames, featureValue } from "../../src/index.js";
import type { Candidate } from "../../src/index.js";
import { min } from "../../src/features/stats.js";
import { candidate } from "../helpers/candidate.js";

/**
 * Five members, worked out by hand:
 * - m0 "the answer is 4" (15 chars), key "4", logprobs [-0.1, -0.5], confidence 0.8
 * - m1 "answer 4 ok" (11 chars), key "4", logprobs [-1], confidence 0.6
 * - m2 "it is 5" (7 chars), key "5", no logprobs, no confidence
 * - m3 "no idea" (7 chars), answered but no extractable key (answer null)
 * - m4 failed (error): its logprobs and confidence are ignored
 * Answered = m0..m3 (4); voters (members with a key) = m0..m2 (3); clusters {"4": 2, "5": 1}.
 */
const FIVE = [
  candidate(0, "the answer is 4", "4", { logprobs: [-0.1, -0.5], confidence: 0.8 }),
  candidate(1, "answer 4 ok", "4", { logprobs: [-1], confidence: 0.6 }),
  candidate(2, "it is 5", "5"),
  candidate(3, "no idea", null),
  candidate(4, "", null, { error: "Error: 500", logprobs: [-9], confidence: 0.99 }),
];

/** Every feature of {@link FIVE}, by hand (the comment next to each value shows the arithmetic). */
const EXPECTED_FIVE: Record<string, number> = {
  members_answered: 4, // m0..m3; the failed m4 does not count
  vote_share: 0.5, // largest cluster 2 / 4 members that answered (NOT / 3 voters = 0.667)
  distinct_answers: 2, // "4", "5"
  answer_entropy: Math.log(3) - (2 / 3) * Math.log(2), // -(2/3 ln 2/3 + 1/3 ln 1/3) over the 3 voters = 0.636514168...
  unanimous: 0,
  agrees_with_majority_0: 1,
  agrees_with_majority_1: 1,
  agrees_with_majority_2: 0, // "5"
  agrees_with_majority_3: 0, // answered without a key: does not agree
  agrees_with_majority_4: Number.NaN, // failed
  // Word sets A={the,answer,is,4} B={answer,4,ok} C={it,is,5} D={no,idea}; Jaccard = shared / union:
  // A-B 2/(4+3-2)=2/5, A-C 1/(4+3-1)=1/6, the 4 other pairs 0 -> mean over 6 pairs = (2/5+1/6)/6 = 17/180.
  // (shared / max would give (2/4 + 1/4)/6 = 1/8.)
  pairwise_similarity: 17 / 180,
  length_mean: 10, // (15 + 11 + 7 + 7) / 4 over the members that answered
  // Deviations 5, 1, -3, -3 -> squares 44; population variance 44/4 = 11 (sample: 44/3).
  length_std: Math.sqrt(11), // 3.3166247903554
  length_cv: Math.sqrt(11) / 10, // std / mean
  avg_logprob_0: -0.3, // (-0.1 - 0.5) / 2
  avg_logprob_1: -1,
  avg_logprob_2: Number.NaN,
  avg_logprob_3: Number.NaN,
  avg_logprob_4: Number.NaN, // failed: its logprobs are not read
  min_prob_0: Math.exp(-0.5), // the least likely token
  min_prob_1: Math.exp(-1),
  min_prob_2: Number.NaN,
  min_prob_3: Number.NaN,
  min_prob_4: Number.NaN,
  avg_logprob_mean: -0.65, // (-0.3 - 1) / 2 over the members with log-probabilities
  min_prob_min: Math.exp(-1), // min(e^-0.5, e^-1)
  confidence_0: 0.8,
  confidence_1: 0.6,
  confidence_2: Number.NaN,
  confidence_3: Number.NaN,
  confidence_4: Number.NaN, // failed: its confidence is not read
  confidence_mean: 0.7, // (0.8 + 0.6) / 2
};

function expectFeatures(candidates: readonly Candidate[], expected: Record<string, number>): void {
  const f = computeFeatures(candidates);
  expect(f.names).toEqual(featureNames(candidates.length));
  // The fixture names every feature: a new feature must come with its hand-computed value here.
  expect(Object.keys(expected).sort()).toEqual([...f.names].sort());
  for (const name of f.names) {
    const want = expected[name];
    if (Number.isNaN(want)) expect(featureValue(f, name), name).toBeNaN();
    else expect(featureValue(f, name), name).toBeCloseTo(want, 12);
  }
}

describe("feature values, exact, on hand-computed fixtures", () => {
  it("five members (one answered without a key, one failed): every feature of featureNames(5)", () => {
    expectFeatures(FIVE, EXPECTED_FIVE);
  });

  it("vote_share divides by the members that answered, not by the voters that gave a key", () => {
    const f = computeFeatures(FIVE);
    expect(featureValue(f, "vote_share")).toBe(2 / 4);
    expect(featureValue(f, "vote_share")).not.toBeCloseTo(2 / 3, 3);
  });

  it("length_std is the population standard deviation, not the sample one", () => {
    const f = computeFeatures([candidate(0, "ab", "1"), candidate(1, "abcdef", "1")]);
    // lengths 2 and 6: mean 4, deviations +-2 -> population std 2 (sample std sqrt(8) = 2.83).
    expect(featureValue(f, "length_std")).toBeCloseTo(2, 12);
    // length_cv divides by the mean: 2 / 4.
    expect(featureValue(f, "length_cv")).toBeCloseTo(0.5, 12);
  });

  it("pairwise_similarity is Jaccard (shared / union), not shared / larger set", () => {
    // {a,b,c} vs {b,c,d,e}: shared 2, union 5 -> 0.4 (shared / max = 0.5, shared / min = 0.667).
    const f = computeFeatures([candidate(0, "a b c", "1"), candidate(1, "B c d e", "1")]);
    expect(featureValue(f, "pairwise_similarity")).toBeCloseTo(0.4, 12);
    // Two empty outputs are identical (1); one output alone has no pair (NaN).
    expect(
      featureValue(computeFeatures([candidate(0, "", "1"), candidate(1, "...", "1")]), "pairwise_similarity"),
    ).toBe(1);
    expect(featureValue(computeFeatures([candidate(0, "x", "1")]), "pairwise_similarity")).toBeNaN();
  });

  it("an output without words shares nothing with one that has words (similarity 0, not 1)", () => {
    const f = computeFeatures([candidate(0, "42", "42"), candidate(1, "!!!", "42")]);
    expect(featureValue(f, "pairwise_similarity")).toBe(0);
  });

  it("a failed member's answer never votes, even when the failure carries one", () => {
    // m2 failed but its candidate still holds answer "5": the vote is over m0, m1 only.
    const f = computeFeatures([
      candidate(0, "4", "4"),
      candidate(1, "5", "5"),
      candidate(2, "5", "5", { error: "Error: timeout" }),
    ]);
    expect(featureValue(f, "distinct_answers")).toBe(2);
    expect(featureValue(f, "vote_share")).toBe(0.5); // 1 of the 2 that answered; the tie goes to m0's "4"
    expect(featureValue(f, "agrees_with_majority_0")).toBe(1);
    expect(featureValue(f, "answer_entropy")).toBeCloseTo(Math.log(2), 12);
  });

  it("min of a list with NaN is NaN (an absent signal is never read as a small one)", () => {
    expect(min([0.5, Number.NaN, 0.25])).toBeNaN();
    expect(min([0.5, 0.25, 0.75])).toBe(0.25);
    expect(min([])).toBeNaN();
  });

  it("three unanimous members: unanimous 1, entropy 0, no length spread", () => {
    expectFeatures(
      [
        candidate(0, "x = 7", "7", { logprobs: [-0.2], confidence: 1 }),
        candidate(1, "7 x", "7", { logprobs: [-0.4, -0.2, 0] }),
        candidate(2, "so 7", "7", { confidence: 0.5 }),
      ],
      {
        members_answered: 3,
        vote_share: 1,
        distinct_answers: 1,
        answer_entropy: 0,
        unanimous: 1,
        agrees_with_majority_0: 1,
        agrees_with_majority_1: 1,
        agrees_with_majority_2: 1,
        // {x,7} {7,x} {so,7}: 1, 1/3, 1/3 -> (1 + 2/3) / 3 = 5/9
        pairwise_similarity: 5 / 9,
        length_mean: (5 + 3 + 4) / 3, // 4
        length_std: Math.sqrt(2 / 3), // deviations 1, -1, 0
        length_cv: Math.sqrt(2 / 3) / 4,
        avg_logprob_0: -0.2,
        avg_logprob_1: -0.2, // (-0.4 - 0.2 + 0) / 3
        avg_logprob_2: Number.NaN,
        min_prob_0: Math.exp(-0.2),
        min_prob_1: Math.exp(-0.4),
        min_prob_2: Number.NaN,
        avg_logprob_mean: -0.2,
        min_prob_min: Math.exp(-0.4),
        confidence_0: 1,
        confidence_1: Number.NaN,
        confidence_2: 0.5,
        confidence_mean: 0.75,
      },
    );
  });

  it("unanimous needs every member to answer the same key: one failure makes it 0", () => {
    const f = computeFeatures([candidate(0, "4", "4"), candidate(1, "4", "4"), candidate(2, "", null, { error: "x" })]);
    expect(featureValue(f, "unanimous")).toBe(0);
    expect(featureValue(f, "vote_share")).toBe(1);
  });

  it("no member answered: counts 0, everything else NaN", () => {
    const f = computeFeatures([candidate(0, "", null, { error: "a" }), candidate(1, "", null, { error: "b" })]);
    for (const name of f.names) {
      if (name === "members_answered") expect(featureValue(f, name)).toBe(0);
      else expect(featureValue(f, name), name).toBeNaN();
    }
  });

  it("members answered but none gave a key: vote_share 0, no entropy, no majority to agree with", () => {
    const f = computeFeatures([candidate(0, "hmm", null), candidate(1, "no", null)]);
    expect(featureValue(f, "members_answered")).toBe(2);
    expect(featureValue(f, "vote_share")).toBe(0);
    expect(featureValue(f, "distinct_answers")).toBe(0);
    expect(featureValue(f, "answer_entropy")).toBeNaN();
    expect(featureValue(f, "unanimous")).toBe(0);
    expect(featureValue(f, "agrees_with_majority_0")).toBeNaN();
    expect(featureValue(f, "length_cv")).toBeCloseTo(0.5 / 2.5, 12); // lengths 3, 2: std 0.5, mean 2.5
  });
});
