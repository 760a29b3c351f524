import type { Candidate } from "../core/types.js";
import { majorityVote } from "../answers/vote.js";
import { mathAnswerText } from "../answers/math_answer_text.js";
import { mathAnswerKey } from "../answers/math_equivalence.js";
import { answerInReasoning, hedgeCount, isCountingQuestion, reasoningSteps } from "./reasoning_text.js";
import { mean, std } from "./stats.js";

/** What the math signals may know besides the candidates: the question, when the caller has it. */
export interface MathFeatureContext {
  /** The query's text (the last user message); without it, question-dependent features are NaN. */
  readonly question?: string;
}

/**
 * The math feature groups, by name (see {@link mathSignalNames}); each is kept in the router's feature list only if
 * it raises the out-of-fold AUC of the GSM8K router (`scripts/math_features_check.ts`).
 */
export const MATH_SIGNAL_GROUPS = {
  /** Mean and largest count of hedges and self-corrections ("wait", "actually", "let me re-check", ...). */
  hedges: ["hedges_mean", "hedges_max"],
  /** Share of answering members whose answer is written in their reasoning before it is stated. */
  answerInReasoning: ["answer_in_reasoning_share"],
  /** Share of answering members with a non-integer answer, when the question counts things (else NaN). */
  integrality: ["non_integer_share_counting"],
  /** Mean and coefficient of variation of the number of reasoning steps (sentences and lines). */
  steps: ["steps_mean", "steps_cv"],
  /** Vote share on the normalized MATH answer key (`mathAnswerKey`: `\frac{3}{4}` = `0.75`). */
  mathKeyAgreement: ["math_key_vote_share"],
} as const;

/** A math feature group's name. */
export type MathSignalGroup = keyof typeof MATH_SIGNAL_GROUPS;

/** The feature names of `groups`, in order. */
export function mathSignalNames(groups: readonly MathSignalGroup[]): string[] {
  return groups.flatMap((group) => [...MATH_SIGNAL_GROUPS[group]]);
}

function groupValues(group: MathSignalGroup, answered: readonly Candidate[], context: MathFeatureContext): number[] {
  switch (group) {
    case "hedges": {
      const hedges = answered.map((c) => hedgeCount(c.text));
      return [mean(hedges), hedges.length > 0 ? Math.max(...hedges) : Number.NaN];
    }
    case "answerInReasoning": {
      const withAnswer = answered.filter((c): c is Candidate & { answer: string } => c.answer !== null);
      return [
        withAnswer.length > 0
          ? withAnswer.filter((c) => answerInReasoning(c.text, { key: c.answer, display: c.display ?? "" })).length /
            withAnswer.length
          : Number.NaN,
      ];
    }
    case "integrality": {
      const keys = answered
        .map((c) => c.answer)
        .filter((key): key is string => key !== null && /^-?\d+(?:\.\d+)?$/.test(key));
      if (context.question === undefined || !isCountingQuestion(context.question) || keys.length === 0)
        return [Number.NaN];
      return [keys.filter((key) => !Number.isInteger(Number(key))).length / keys.length];
    }
    case "steps": {
      const steps = answered.map((c) => reasoningSteps(c.text));
      const m = mean(steps);
      return [m, m > 0 ? std(steps) / m : Number.NaN];
    }
    case "mathKeyAgreement": {
      const keys = answered.map((c) => {
        const text = mathAnswerText(c.text);
        return text === null ? null : mathAnswerKey(text);
      });
      const vote = majorityVote(keys);
      return [vote.voters > 0 ? vote.count / answered.length : Number.NaN];
    }
  }
}

/**
 * The values of the math feature groups `groups` for one tier's candidates (member order), NaN where a signal is
 * absent (no member answered, no question, not a counting question).
 */
export function mathSignalValues(
  candidates: readonly Candidate[],
  groups: readonly MathSignalGroup[],
  context: MathFeatureContext = {},
): number[] {
  const answered = candidates.filter((c) => c.error === undefined);
  return groups.flatMap((group) => groupValues(group, answered, context));
}
