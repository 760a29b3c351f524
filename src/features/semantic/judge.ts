import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { BaseMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { symmetricMatrix } from "./similarity.js";
import type { AnswerSimilarity } from "./similarity.js";

/** The judge's prompt for two answers (it must reply yes or no). */
export function judgePrompt(a: string, b: string): string {
  return [
    "Do these two answers to the same question say the same thing (the same final answer or claim, whatever the wording)?",
    "Reply with one word: yes or no.",
    "",
    `Answer 1:\n${a}`,
    "",
    `Answer 2:\n${b}`,
  ].join("\n");
}

function verdict(message: BaseMessage): number {
  const text = typeof message.content === "string" ? message.content : message.text;
  const word = /\b(yes|no)\b/i.exec(text)?.[1]?.toLowerCase();
  if (word === undefined) throw new Error("the judge answered neither yes nor no");
  return word === "yes" ? 1 : 0;
}

/**
 * Similarity as a judge model's verdict on each pair (1 for "yes, the same answer", 0 for "no"): n(n-1)/2 calls per
 * tier, concurrently. Threshold 0.5.
 */
export function judgeSimilarity(judge: Runnable<BaseLanguageModelInput, BaseMessage>): AnswerSimilarity {
  return {
    kind: "judge",
    threshold: 0.5,
    matrix: async (texts, signal) => {
      const pairs: [number, number][] = [];
      for (let i = 0; i < texts.length; i++) for (let j = i + 1; j < texts.length; j++) pairs.push([i, j]);
      const verdicts = await Promise.all(
        pairs.map(async ([i, j]) => verdict(await judge.invoke(judgePrompt(texts[i], texts[j]), { signal }))),
      );
      const byPair = new Map(pairs.map(([i, j], k) => [`${i},${j}`, verdicts[k]]));
      return symmetricMatrix(texts.length, (i, j) => byPair.get(`${i},${j}`) ?? 0);
    },
  };
}
