import { describe, expect, it } from "vitest";
import { extractAnswer, type Candidate } from "../../src/index.js";
import {
  answerInReasoning,
  hedgeCount,
  isCountingQuestion,
  MATH_SIGNAL_GROUPS,
  mathSignalNames,
  mathSignalValues,
  reasoningSteps,
} from "../../src/router/train/index.js";

const json = (reasoning: string, answer: string): string =>
  `\`\`\`json\n{\n  "reasoning": "${reasoning}",\n  "answer": "${answer}"\n}\n\`\`\``;

function candidate(text: string, index: number, error?: string): Candidate {
  const answer = error ? null : extractAnswer(text, "math");
  return {
    model: `m${index}`,
    tier: 0,
    index,
    text: error ? "" : text,
    answer: answer?.key ?? null,
    display: answer?.display ?? null,
    attempts: 1,
    latencyMs: 1,
    usage: { input: 1, output: 1, estimated: false },
    costUsd: 0,
    ...(error ? { error } : {}),
  };
}

describe("reasoning-text signals", () => {
  it("counts hedges and self-corrections", () => {
    expect(hedgeCount("So x = 4. Wait, actually I made a mistake; let me re-check: x = 5.")).toBe(4);
    expect(hedgeCount("Step 1: 2 + 2 = 4. Step 2: 4 * 3 = 12.")).toBe(0);
  });

  it("counts reasoning steps, in text and in a JSON reasoning string with escaped line breaks", () => {
    expect(reasoningSteps(json("First, 3 apples. Then 4 more.\\nSo 7 in all.", "7"))).toBe(3);
    expect(reasoningSteps("Line one\nLine two\n\nThe answer is 2")).toBe(2);
  });

  it("sees whether the answer is derived in the reasoning, as a whole number", () => {
    expect(answerInReasoning(json("3 * 4 = 12 apples", "12"), { key: "12", display: "12" })).toBe(true);
    expect(answerInReasoning(json("3 * 40 = 120 apples", "12"), { key: "12", display: "12" })).toBe(false);
    expect(answerInReasoning(json("she earns 57,500 a year", "$57,500"), { key: "57500", display: "$57,500" })).toBe(
      true,
    );
  });

  it("recognizes counting questions", () => {
    expect(isCountingQuestion("How many apples does she have?")).toBe(true);
    expect(isCountingQuestion("What is the probability of rain?")).toBe(false);
  });
});

describe("mathSignalValues", () => {
  const groups = Object.keys(MATH_SIGNAL_GROUPS) as (keyof typeof MATH_SIGNAL_GROUPS)[];
  it("gives one value per name, NaN where the signal is absent", () => {
    const names = mathSignalNames(groups);
    const crowd = [
      candidate(json("2 + 2 = 4. Wait, actually 2 + 3 = 5.", "5"), 0),
      candidate(json("2 + 3 = 5.", "5.0"), 1),
      candidate("boom", 2, "timeout"),
    ];
    const values = mathSignalValues(crowd, groups, { question: "How many pens?" });
    expect(values).toHaveLength(names.length);
    const v = Object.fromEntries(names.map((n, i) => [n, values[i]]));
    expect(v.hedges_mean).toBe(1);
    expect(v.hedges_max).toBe(2);
    expect(v.answer_in_reasoning_share).toBe(1);
    expect(v.non_integer_share_counting).toBe(0);
    expect(v.steps_mean).toBe(1.5);
    expect(v.math_key_vote_share).toBe(1);
    const noQuestion = mathSignalValues(crowd, ["integrality"]);
    expect(noQuestion[0]).toBeNaN();
    const nobody = mathSignalValues([candidate("x", 0, "down")], groups, { question: "How many?" });
    expect(nobody.every((x) => Number.isNaN(x))).toBe(true);
  });
});
