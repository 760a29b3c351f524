/**
 * What kind of answer the pyramid votes on, which selects the answer extractor: `math` (the final number, for
 * GSM8K-style word problems), `math-latex` (a competition-math answer in LaTeX: fractions, radicals, tuples,
 * intervals, text; see `extractMathLatexAnswer`), `choice` (a letter A-D), `code`, `text`.
 */
export type TaskKind = "math" | "math-latex" | "choice" | "code" | "text";

/** The list of supported task kinds, for validation. */
export const TASK_KINDS = ["math", "math-latex", "choice", "code", "text"] as const;

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
