import { describe, expect, it } from "vitest";
import {
  answerInReasoning,
  computeFeatures,
  computeFeaturesWith,
  type FeatureGroup,
  mathSignalValues,
  reasoningPart,
  reasoningSteps,
} from "../../src/features/index.js";
import { meanPairwiseSimilarity } from "../../src/features/similarity.js";
import { candidate } from "../helpers/candidate.js";

// Edges of the feature code found by mutation testing (docs/testing.md), each worked out by hand.

const value = (candidates: Parameters<typeof computeFeatures>[0], name: string): number => {
  const vector = computeFeatures(candidates);
  return vector.values[vector.names.indexOf(name)];
};

describe("unanimous", () => {
  it("needs every member to answer with a key: one answered without a key is not unanimous", () => {
    // m0 key "4", m1 answered but no key was extracted: one distinct key, but the largest cluster is 1 of 2.
    expect(value([candidate(0, "it is 4", "4"), candidate(1, "no idea", null)], "unanimous")).toBe(0);
    expect(value([candidate(0, "it is 4", "4"), candidate(1, "4", "4")], "unanimous")).toBe(1);
    expect(value([candidate(0, "it is 4", "4"), candidate(1, "", null, { error: "Error: 500" })], "unanimous")).toBe(0);
  });
});

describe("similarity of texts without words", () => {
  it("Jaccard is 0 between a text without words and one with words, 1 between two without", () => {
    expect(meanPairwiseSimilarity(["?!", "two words"])).toBe(0);
    expect(meanPairwiseSimilarity(["two words", "?!"])).toBe(0);
    expect(meanPairwiseSimilarity(["", "..."])).toBe(1);
  });
});

describe("feature names", () => {
  it("are one frozen list shared by every vector of a tier size (cached, not rebuilt per query)", () => {
    const first = computeFeatures([candidate(0, "a", "1"), candidate(1, "b", "2")]).names;
    const second = computeFeatures([candidate(0, "c", "3"), candidate(1, "d", "4")]).names;
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });
});

describe("feature groups", () => {
  it("a one-feature group that throws gives NaN for its feature", async () => {
    const failing: FeatureGroup = {
      name: "failing",
      names: () => ["failing_x"],
      compute: async () => {
        throw new Error("boom");
      },
    };
    const vector = await computeFeaturesWith([candidate(0, "a", "1")], [failing], { prompt: "" });
    expect(vector.names.at(-1)).toBe("failing_x");
    expect(vector.values.at(-1)).toBeNaN();
  });
});

describe("reasoning text", () => {
  it("an output that starts with its answer field has no reasoning (0 steps)", () => {
    expect(reasoningPart('"answer": "5"')).toBe("");
    expect(reasoningSteps('"answer": "5"')).toBe(0);
  });

  it("the reasoning field is read with any spaces around its colon", () => {
    expect(reasoningPart('{"reasoning" :  "Add 2 and 3.", "answer": "5"}')).toBe('Add 2 and 3.", ');
    expect(reasoningPart('{"reasoning":"Add 2 and 3.", "answer": "5"}')).toBe('Add 2 and 3.", ');
  });

  it("a form that does not start like a number matches as text, even inside a longer token", () => {
    // Reasoning: the text before the last line. "A1" is in "A12" as text; the number rule would refuse it.
    expect(answerInReasoning("see label A12 here\nAnswer: A1", { key: "A1", display: "" })).toBe(true);
    expect(answerInReasoning("see label 12 here\nAnswer: 1", { key: "1", display: "" })).toBe(false);
  });
});

describe("integrality", () => {
  it("counts decimal keys of several digits (12.5) among the numeric keys", () => {
    const members = [candidate(0, "12.5", "12.5"), candidate(1, "3", "3")];
    // Two numeric keys, one not whole: 1/2.
    expect(mathSignalValues(members, ["integrality"], { question: "How many apples are left?" })).toEqual([0.5]);
  });
});
