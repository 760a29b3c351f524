import { describe, expect, it } from "vitest";
import type { Candidate } from "../../../src/core/types.js";
import type { FeatureVector } from "../../../src/features/types.js";
import { featureValue } from "../../../src/features/types.js";
import { isSettled, settlementOf } from "../../../src/graph/schedule/settle.js";
import { AgreementRouter } from "../../../src/router/agreement.js";
import type { Router } from "../../../src/router/types.js";

function answer(index: number, key: string, text: string): Candidate {
  return {
    model: `m${index}`,
    tier: 0,
    index,
    text,
    answer: key,
    display: key,
    attempts: 1,
    latencyMs: 0,
    usage: { input: 1, output: 1, estimated: true },
    costUsd: 0,
  };
}

/** Escalates (P_fail 1) when the answers are short on average (under 8 characters), else 1 - vote share. */
const lengthRouter: Router = {
  readsFeatures: ["vote_share", "length_mean"],
  predict(features: FeatureVector): number {
    if (featureValue(features, "length_mean") < 8) return 1;
    return 1 - featureValue(features, "vote_share");
  },
};

describe("isSettled for a router reading more than answer features (in-hand settlement)", () => {
  it("says which settlement a router gets", () => {
    expect(settlementOf(new AgreementRouter())).toBe("exact");
    expect(settlementOf(lengthRouter)).toBe("in-hand");
    expect(settlementOf({ predict: () => 0.5 })).toBe("never");
  });

  it("enumerates the missing member's answer and takes the text features from the members in hand", () => {
    // Two agreeing answers of 10 characters: length_mean in hand is 10, so P_fail = 1 - vote share, which is at most
    // 1/3 on every completion (the third agrees, disagrees, gives no key or fails): settled at threshold 0.5. A
    // missing member counted with an empty text would pull length_mean to 6.7 and escalate on some completions.
    const present = [answer(0, "7", "answer: 7."), answer(1, "7", "it is 7..."), undefined];
    expect(isSettled(present, { router: lengthRouter, threshold: 0.5, lower: [] })).toBe(true);
    // Short answers in hand: P_fail 1 on every completion: settled too (escalate whatever the third says).
    const short = [answer(0, "7", "7"), answer(1, "7", "7"), undefined];
    expect(isSettled(short, { router: lengthRouter, threshold: 0.5, lower: [] })).toBe(true);
    // Two different answers: the third decides the majority key: not settled.
    const split = [answer(0, "7", "answer: 7."), answer(1, "8", "answer: 8."), undefined];
    expect(isSettled(split, { router: lengthRouter, threshold: 0.5, lower: [] })).toBe(false);
  });

  it("waits for every member when the router was trained on other features than the base ones", () => {
    const router: Router = { ...lengthRouter, featureNames: ["vote_share", "length_mean", "behaviour_cluster_share"] };
    const present = [answer(0, "7", "answer: 7."), answer(1, "7", "it is 7..."), undefined];
    expect(isSettled(present, { router, threshold: 0.5, lower: [] })).toBe(false);
  });
});
