import { AIMessage } from "@langchain/core/messages";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { describe, expect, it } from "vitest";
import type { Candidate } from "../../src/core/types.js";
import {
  answerInReasoning,
  computeFeatures,
  computeFeaturesWith,
  featureNames,
  featureNamesWith,
  hedgeCount,
  isCountingQuestion,
  mathSignalNames,
  mathSignalValues,
  reasoningPart,
  reasoningSteps,
  type FeatureGroup,
} from "../../src/features/index.js";
import {
  SEMANTIC_FEATURE_NAMES,
  cosine,
  embeddingsSimilarity,
  judgePrompt,
  judgeSimilarity,
  lexicalSimilarity,
  semanticFeatureGroup,
  semanticFeatures,
  semanticVote,
  symmetricMatrix,
  tokenF1,
  type AnswerSimilarity,
} from "../../src/features/semantic/index.js";
import { candidate } from "../helpers/candidate.js";

// Exact values of the reasoning-text, math and semantic signals on hand-worked inputs: each one a router feature.

describe("hedges and self-corrections", () => {
  it("counts each phrase once, whatever its spelling variant", () => {
    for (const phrase of [
      "wait",
      "Actually",
      "hmm",
      "hmmmm",
      "oops",
      "let me re-do it",
      "let me try again",
      "let me double it",
      "let's re-think",
      "let's try again",
      "let's double it",
      "recheck",
      "re-check",
      "recalculate",
      "re-evaluate",
      "reconsider",
      "reexamine",
      "re-read",
      "double-check",
      "double check",
      "I made a mistake",
      "we made an error",
      "my mistake",
      "correction",
      "on second thought",
      "that's not correct",
      "that is incorrect",
      "this is not correct",
      "this is incorrect",
      "a mistake",
      "however",
    ])
      expect(hedgeCount(`So x = 4. ${phrase}, x = 5.`), phrase).toBe(1);
  });

  it("counts whole words only, and every occurrence", () => {
    expect(hedgeCount("The waiter factually said: however. However! HOWEVER")).toBe(3);
    expect(hedgeCount("rechecking, awaited, mistakenly, hmmx")).toBe(0);
    expect(hedgeCount("")).toBe(0);
  });
});

describe("reasoning parts and steps", () => {
  it("takes the reasoning before the answer field, from the reasoning field's value when it comes first", () => {
    expect(reasoningPart('{"reasoning": "3 + 4 = 7", "answer": "7"}')).toBe('3 + 4 = 7", ');
    expect(reasoningPart('We add. {"answer" : "7"}')).toBe("We add. {");
    expect(reasoningPart('{"answer": "7", "reasoning": "late"}')).toBe("{");
    expect(reasoningPart("Step one.\nStep two.\nAnswer: 7\n\n")).toBe("Step one.\nStep two.");
    expect(reasoningPart("only one line")).toBe("only one line");
    expect(reasoningPart("\nstarts with a break")).toBe("\nstarts with a break");
  });

  it("counts sentences and lines (real or escaped breaks) that hold a letter or digit", () => {
    expect(reasoningSteps("One! Two? Three. Four\nFive\n\n\nSix\\nSeven\nlast line")).toBe(7);
    expect(reasoningSteps("... --- !!!\n???\nanswer")).toBe(0);
    expect(reasoningSteps("3.5 apples\n1.")).toBe(1);
    expect(reasoningSteps("Déjà vu.\n٣\nend")).toBe(2);
  });
});

describe("the answer in the reasoning", () => {
  const has = (reasoning: string, key: string, display = key): boolean =>
    answerInReasoning(`${reasoning}\nThe answer is ${display}`, { key, display });

  it("matches numbers as whole numbers: not inside a longer number or decimal", () => {
    expect(has("so 1.5 cups.", "1.5")).toBe(true);
    expect(has("so 11.5 cups", "1.5")).toBe(false);
    expect(has("so 1.55 cups", "1.5")).toBe(false);
    expect(has("so 0.5 cups", ".5")).toBe(false);
    expect(has("so 12.0", "12")).toBe(false);
    expect(has("so 12. Done", "12")).toBe(true);
    expect(has("so -3 degrees", "-3")).toBe(true);
    expect(has("so 5-3 degrees", "-3")).toBe(false);
    expect(has("she earns 1,234,567 a year", "1234567")).toBe(true);
    expect(has("she earns 1,23 a year", "123")).toBe(false);
    expect(has("she earns 57,500 a year", "57500")).toBe(true);
  });

  it("tries the key, then the trimmed display form; other answers match as text; empty forms never", () => {
    expect(answerInReasoning("It is Paris.\nParis", { key: "paris", display: " Paris " })).toBe(true);
    expect(answerInReasoning("It is (a+b).\n(a+b)", { key: "x", display: "(a+b)" })).toBe(true);
    expect(answerInReasoning("nothing here\nParis", { key: "", display: "" })).toBe(false);
    expect(answerInReasoning("nothing here\nParis", { key: "", display: "  " })).toBe(false);
  });

  it("recognizes counting questions by whole phrases", () => {
    expect(isCountingQuestion("HOW MANY pens?")).toBe(true);
    expect(isCountingQuestion("the number of pens")).toBe(true);
    expect(isCountingQuestion("Count the pens")).toBe(true);
    expect(isCountingQuestion("the counter and the account")).toBe(false);
    expect(isCountingQuestion("somehow manyfold")).toBe(false);
  });
});

describe("math signal values", () => {
  const json = (reasoning: string, answer: string): string => `{"reasoning": "${reasoning}", "answer": "${answer}"}`;

  it("hedges: mean and max over the answering members; NaN when nobody answered", () => {
    const crowd = [
      candidate(0, json("wait, actually 5. however 6", "6"), "6"),
      candidate(1, json("2 + 4 = 6", "6"), "6"),
      candidate(2, "", null, { error: "down" }),
    ];
    expect(mathSignalValues(crowd, ["hedges"])).toEqual([1.5, 3]);
    const none = mathSignalValues([candidate(0, "", null, { error: "down" })], ["hedges"]);
    expect(none.every(Number.isNaN)).toBe(true);
  });

  it("answer in reasoning: the share of members with an answer that wrote it in their reasoning", () => {
    const crowd = [
      candidate(0, json("3 * 4 = 12", "12"), "12"),
      candidate(1, json("3 * 40 = 120", "12"), "12"),
      candidate(2, json("no idea", "?"), null),
      candidate(3, json("12 of them", "12"), "12", { display: null }),
    ];
    expect(mathSignalValues(crowd, ["answerInReasoning"])).toEqual([2 / 3]);
    expect(mathSignalValues([candidate(0, "x", null)], ["answerInReasoning"])[0]).toBeNaN();
  });

  it("integrality: the share of numeric keys that are not whole, on counting questions only", () => {
    const crowd = [
      candidate(0, "a", "2.5"),
      candidate(1, "b", "3"),
      candidate(2, "c", "-1.25"),
      candidate(3, "d", "1/2"),
      candidate(4, "e", null),
    ];
    expect(mathSignalValues(crowd, ["integrality"], { question: "How many pens?" })).toEqual([2 / 3]);
    expect(mathSignalValues(crowd, ["integrality"], { question: "What is the ratio?" })[0]).toBeNaN();
    expect(mathSignalValues(crowd, ["integrality"])[0]).toBeNaN();
    expect(mathSignalValues([candidate(0, "a", "x1")], ["integrality"], { question: "How many?" })[0]).toBeNaN();
  });

  it("steps: mean and coefficient of variation (population std / mean), NaN when the mean is 0", () => {
    const crowd = [candidate(0, "One. Two. Three.\nend", "3"), candidate(1, "One.\nend", "1")];
    const [mean, cv] = mathSignalValues(crowd, ["steps"]);
    expect(mean).toBe(2);
    expect(cv).toBe(0.5);
    const empty = mathSignalValues([candidate(0, "...\nend", "3")], ["steps"]);
    expect(empty[0]).toBe(0);
    expect(empty[1]).toBeNaN();
  });

  it("math key agreement: the largest equivalent-answer cluster over the members that answered", () => {
    const crowd = [
      candidate(0, "so \\boxed{\\frac{3}{4}}", "x"),
      candidate(1, "so \\boxed{0.75}", "y"),
      candidate(2, "no final answer", null),
      candidate(3, "so \\boxed{2}", "z"),
    ];
    expect(mathSignalValues(crowd, ["mathKeyAgreement"])).toEqual([2 / 4]);
    expect(mathSignalValues([candidate(0, "no answer", null)], ["mathKeyAgreement"])[0]).toBeNaN();
  });

  it("lists names in the order of the groups asked for", () => {
    expect(mathSignalNames(["steps", "hedges"])).toEqual(["steps_mean", "steps_cv", "hedges_mean", "hedges_max"]);
    expect(mathSignalNames([])).toEqual([]);
  });
});

describe("feature groups", () => {
  const crowd = [candidate(0, "a b", "1"), candidate(1, "a c", "2")];
  const group = (name: string, compute: FeatureGroup["compute"], count = 2): FeatureGroup => ({
    name,
    names: (members) => Array.from({ length: count }, (_, i) => `${name}_${i}_of_${members}`),
    compute,
  });

  it("appends each group's values after the base features, NaN for a group that fails or miscounts", async () => {
    const groups = [
      group("ok", async (candidates, context) => [candidates.length, context.prompt.length]),
      group("throws", async () => {
        throw new Error("boom");
      }),
      group("short", async () => [1]),
    ];
    const vector = await computeFeaturesWith(crowd, groups, { prompt: "abc" });
    const base = computeFeatures(crowd);
    expect(vector.names).toEqual(featureNamesWith(2, groups));
    expect(vector.names).toEqual([
      ...featureNames(2),
      "ok_0_of_2",
      "ok_1_of_2",
      "throws_0_of_2",
      "throws_1_of_2",
      "short_0_of_2",
      "short_1_of_2",
    ]);
    expect(vector.values.slice(0, base.values.length)).toEqual(base.values);
    expect(vector.values.slice(base.values.length)).toEqual([2, 3, Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
  });

  it("returns the base features alone without groups", async () => {
    expect(await computeFeaturesWith(crowd, [], { prompt: "" })).toEqual(computeFeatures(crowd));
  });
});

/** A judge that answers from a table keyed by the two answers. */
function judge(replies: (a: string, b: string) => string | BaseMessage, seen: string[] = []) {
  return {
    invoke: async (prompt: string) => {
      seen.push(prompt);
      const a = /Answer 1:\n(.*)\n/.exec(prompt)?.[1] ?? "";
      const b = /Answer 2:\n(.*)$/.exec(prompt)?.[1] ?? "";
      const reply = replies(a, b);
      return typeof reply === "string" ? new AIMessage(reply) : reply;
    },
  } as unknown as Runnable<BaseLanguageModelInput, BaseMessage>;
}

describe("answer similarities", () => {
  it("fills a symmetric matrix with ones on the diagonal", () => {
    expect(symmetricMatrix(3, (i, j) => i + j / 10)).toEqual([
      [1, 0.1, 0.2],
      [0.1, 1, 1.2],
      [0.2, 1.2, 1],
    ]);
    expect(symmetricMatrix(0, () => 0)).toEqual([]);
  });

  it("lexical: token F1 with a 0.5 threshold by default", async () => {
    expect(tokenF1("Paris", "")).toBe(0);
    expect(tokenF1("", "the")).toBe(1);
    expect(tokenF1("red blue", "blue green yellow")).toBeCloseTo(0.4, 15);
    // Articles are dropped: "a" is no token.
    expect(tokenF1("x b c d", "b")).toBeCloseTo(0.4, 15);
    expect(tokenF1("a b c d", "b")).toBeCloseTo(0.5, 15);
    const lexical = lexicalSimilarity();
    expect(lexical).toMatchObject({ kind: "lexical", threshold: 0.5 });
    expect(lexicalSimilarity(0.8).threshold).toBe(0.8);
    expect(await lexical.matrix(["red blue", "blue green yellow"])).toEqual([
      [1, tokenF1("red blue", "blue green yellow")],
      [tokenF1("red blue", "blue green yellow"), 1],
    ]);
  });

  it("embeddings: cosine clipped to [0, 1], 0 for zero or mismatched vectors, one batch", async () => {
    expect(cosine([1, 0], [1, 1])).toBeCloseTo(Math.SQRT1_2, 15);
    expect(cosine([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 15);
    expect(cosine([1, 0], [-1, 0])).toBe(0);
    expect(cosine([0, 0], [1, 1])).toBe(0);
    expect(cosine([1, 1], [0, 0])).toBe(0);
    expect(cosine([1], [1, 1])).toBe(0);
    expect(cosine([], [])).toBe(0);
    const batches: string[][] = [];
    const model = {
      embedDocuments: async (texts: string[]) => {
        batches.push(texts);
        return texts.map((t) => (t.startsWith("x") ? [1, 0] : [0, 1]));
      },
      embedQuery: async () => [0, 0],
    } as EmbeddingsInterface;
    const similarity = embeddingsSimilarity(model);
    expect(similarity).toMatchObject({ kind: "embeddings", threshold: 0.85 });
    expect(embeddingsSimilarity(model, 0.7).threshold).toBe(0.7);
    expect(await similarity.matrix(["x1", "y", "x2"])).toEqual([
      [1, 0, 1],
      [0, 1, 0],
      [1, 0, 1],
    ]);
    expect(batches).toEqual([["x1", "y", "x2"]]);
    const short = { ...model, embedDocuments: async () => [[1, 0]] } as EmbeddingsInterface;
    await expect(embeddingsSimilarity(short).matrix(["a", "b"])).rejects.toThrow(
      "the embeddings model returned 1 vectors for 2 texts",
    );
  });

  it("judge: asks about each pair once with the query's signal, reads the first yes or no", async () => {
    expect(judgePrompt("A", "B")).toBe(
      "Do these two answers to the same question say the same thing (the same final answer or claim, whatever the wording)?\n" +
        "Reply with one word: yes or no.\n\nAnswer 1:\nA\n\nAnswer 2:\nB",
    );
    const seen: string[] = [];
    const similarity = judgeSimilarity(
      judge(
        (a, b) =>
          a[0] === b[0] ? "Yes." : b === "p3" ? "NO, yes" : new AIMessage({ content: [{ type: "text", text: "no" }] }),
        seen,
      ),
    );
    expect(similarity).toMatchObject({ kind: "judge", threshold: 0.5 });
    expect(await similarity.matrix(["p1", "p2", "q1", "p3"])).toEqual([
      [1, 1, 0, 1],
      [1, 1, 0, 1],
      [0, 0, 1, 0],
      [1, 1, 0, 1],
    ]);
    expect(seen).toHaveLength(6);
    const confused = judgeSimilarity(judge(() => "yesterday, maybe"));
    await expect(confused.matrix(["a", "b"])).rejects.toThrow("the judge answered neither yes nor no");
  });
});

/** A similarity from a fixed matrix (or a failure). */
function fixed(matrix: number[][] | Error, threshold = 0.5): AnswerSimilarity & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    kind: "lexical",
    threshold,
    calls,
    matrix: async (texts) => {
      calls.push([...texts]);
      if (matrix instanceof Error) throw matrix;
      return matrix.map((row) => [...row]);
    },
  };
}

describe("the semantic vote", () => {
  it("keeps exact keys with fewer than two answers, or when the similarity fails", async () => {
    const one = [candidate(0, "a", "Paris"), candidate(1, "", null, { error: "down" })];
    expect(await semanticVote(one, fixed([[1]]))).toEqual({ candidates: one, winner: 0 });
    const none = [candidate(0, "", null)];
    expect(await semanticVote(none, fixed([[1]]))).toEqual({ candidates: none, winner: -1 });
    const two = [candidate(0, "a", "Paris"), candidate(1, "b", "London")];
    expect(await semanticVote(two, fixed(new Error("down")))).toEqual({ candidates: two, winner: -1 });
  });

  it("re-keys answers by their cluster's medoid, skipping failed and invalid members, and the largest cluster wins", async () => {
    const crowd = [
      candidate(0, "", "Lyon"),
      candidate(1, "", null, { error: "down" }),
      candidate(2, "", "Paris"),
      candidate(3, "", "Paris, France"),
      candidate(4, "", "bad", { invalid: "schema" }),
      candidate(5, "", "the city of Paris"),
    ];
    // Answers in order: Lyon, Paris, Paris France, city of Paris. NaN and out-of-range values are read as 0 and
    // clipped to [0, 1].
    const similarity = fixed([
      [1, 0.1, Number.NaN, -2],
      [0.1, 1, 0.9, 0.6],
      [0, 0.9, 1, 3],
      [0, 0.6, 0.7, 1],
    ]);
    const vote = await semanticVote(crowd, similarity);
    expect(similarity.calls).toEqual([["Lyon", "Paris", "Paris, France", "the city of Paris"]]);
    // Cluster {Paris, Paris France, city}: totals 1.5 (Paris), 1.9 (Paris France: 0.9 + 1 clipped), 1.3 (row 3).
    expect(vote.winner).toBe(3);
    expect(vote.candidates.map((c) => c.answer)).toEqual([
      "Lyon",
      null,
      "Paris, France",
      "Paris, France",
      "bad",
      "Paris, France",
    ]);
    expect(vote.candidates[1]).toBe(crowd[1]);
    expect(vote.candidates[4]).toBe(crowd[4]);
    expect(vote.candidates[0].similarities).toEqual([1, Number.NaN, 0.1, 0, Number.NaN, 0]);
    expect(vote.candidates[3].similarities).toEqual([0, Number.NaN, 0.9, 1, Number.NaN, 1]);
  });

  it("treats identical answers as one whatever the similarity says, and breaks size ties by first member", async () => {
    const crowd = [candidate(0, "", "B"), candidate(1, "", "A"), candidate(2, "", "A"), candidate(3, "", "B")];
    const vote = await semanticVote(
      crowd,
      fixed([
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
      ]),
    );
    expect(vote.candidates.map((c) => c.answer)).toEqual(["B", "A", "A", "B"]);
    expect(vote.winner).toBe(0);
    expect(vote.candidates[0].similarities).toEqual([1, 0, 0, 1]);
  });
});

describe("semantic features", () => {
  const withRow = (index: number, answer: string | null, similarities: number[], extra: Partial<Candidate> = {}) =>
    candidate(index, "", answer, { similarities, ...extra });

  it("share, entropy (0 when unanimous), mean and max over finite pairs of answering members", () => {
    const values = semanticFeatures([
      withRow(0, "x", [1, 0.9, Number.NaN, 0.8]),
      withRow(1, "x", [0.9, 1, Number.NaN, 0.7]),
      withRow(2, null, [Number.NaN, Number.NaN, 1, Number.NaN]),
      withRow(3, "x", [0.8, 0.7, Number.NaN, 1]),
      withRow(4, "y", [0, 0, 0, 0, 1], { error: "failed" }),
    ]);
    expect(values[0]).toBe(1);
    expect(Object.is(values[1], 0)).toBe(true);
    expect(values[2]).toBeCloseTo(0.8, 15);
    expect(values[3]).toBe(0.9);
    const split = semanticFeatures([
      withRow(0, "x", [1, Number.NaN]),
      withRow(1, "y", [Number.NaN, 1]),
      candidate(2, "", "z"),
    ]);
    expect(split[0]).toBe(0.5);
    expect(split[1]).toBeCloseTo(Math.log(2), 15);
    expect(split[2]).toBeNaN();
    expect(split[3]).toBeNaN();
  });

  it("is a feature group named semantic, with its four names after the base features", async () => {
    expect(semanticFeatureGroup.name).toBe("semantic");
    expect(semanticFeatureGroup.names(3)).toEqual([
      "semantic_cluster_share",
      "semantic_entropy",
      "semantic_similarity_mean",
      "semantic_similarity_max",
    ]);
    expect(semanticFeatureGroup.names(3)).not.toBe(SEMANTIC_FEATURE_NAMES);
    const crowd = [withRow(0, "x", [1, 0.4]), withRow(1, "y", [0.4, 1])];
    expect(await semanticFeatureGroup.compute(crowd, { prompt: "" })).toEqual(semanticFeatures(crowd));
  });
});
