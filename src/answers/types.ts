import type { AIMessage } from "@langchain/core/messages";

/**
 * What kind of answer the pyramid votes on, which selects the answer extractor: `math` (the final number, for
 * GSM8K-style word problems), `math-latex` (a competition-math answer in LaTeX: fractions, radicals, tuples,
 * intervals, text; see `extractMathLatexAnswer`), `choice` (a letter A-J), `code`, `text` (free text), or
 * `short-answer` (a short factual answer, RAG-style: "Paris", "in 1969").
 */
export type TaskKind = "math" | "math-latex" | "choice" | "code" | "text" | "short-answer";

/** The list of supported task kinds, for validation. */
export const TASK_KINDS = ["math", "math-latex", "choice", "code", "text", "short-answer"] as const;

/** A user-defined answer key: the value of a JSON field of the output (`"answer"`, or a dotted path `"result.answer"`). */
export interface JsonFieldKey {
  /** The field's name, or a dotted path into nested objects. */
  readonly field: string;
}

/** A user-defined answer key: the first capture group of a regular expression (the whole match without a group). */
export interface RegexKey {
  /** The pattern, as `new RegExp` takes it. */
  readonly regex: string;
  /** Its flags (e.g. `"i"`); default none. */
  readonly flags?: string;
}

/** A multiple-choice key over a configured set of labels (e.g. `["yes", "no", "maybe"]`). */
export interface ChoiceLabelsKey {
  /** The labels; an output's label is keyed as written here. */
  readonly choice: readonly string[];
}

/**
 * A user-defined answer key: the key of the output `text` (equal keys vote together), or `null` when the output
 * holds no answer. `message` is the member's whole message (tool calls, metadata) when there is one.
 */
export type AnswerKeyFunction = (text: string, message?: AIMessage) => string | null;

/**
 * What the crowd votes on: a built-in {@link TaskKind}, or a user-defined key: a JSON field, a regular expression,
 * a set of choice labels, or a function `(text, message) => key | null` (code only).
 */
export type AnswerTask = TaskKind | JsonFieldKey | RegexKey | ChoiceLabelsKey | AnswerKeyFunction;

/**
 * An answer extracted from a model's output.
 *
 * `key` is the normalized form that votes are counted on (e.g. `"1800"` for `"$1,800.00"`); `display`
 * is the answer as the model wrote it.
 */
export interface ExtractedAnswer {
  /** Normalized answer; equal keys are the same answer. */
  readonly key: string;
  /** The answer as written in the output. */
  readonly display: string;
}
