import type { ExtractedAnswer } from "./types.js";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Compiled patterns of one set of labels. */
export interface LabelPatterns {
  readonly labels: readonly string[];
  readonly said: RegExp;
  readonly bare: RegExp;
  readonly standalone: RegExp;
}

/** Compiles the patterns that read one of `labels` (matched case-insensitively, longest label first). */
export function labelPatterns(labels: readonly string[]): LabelPatterns {
  const alternatives = [...labels]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join("|");
  return {
    labels,
    said: new RegExp(
      `(?:"answer"\\s*:\\s*["']|\\\\boxed\\{|(?:answer|option|choice|label)(?:\\s*(?:is|:))?(?:\\s*:)?\\s*\\**\\(?)(${alternatives})(?![\\p{L}\\p{N}])`,
      "giu",
    ),
    bare: new RegExp(`^\\s*\\(?(${alternatives})\\)?[.:)]?\\s*$`, "iu"),
    standalone: new RegExp(`(?<![\\p{L}\\p{N}])(${alternatives})(?![\\p{L}\\p{N}])`, "giu"),
  };
}

/**
 * Extracts one of a configured set of labels (e.g. `["yes", "no", "maybe"]` or `["A", ..., "L"]`): a JSON
 * `"answer"` field, `\boxed{...}`, "the answer is ...", an output that is just a label, or the last label written as
 * a word. The key is the label as configured, whatever case the output used.
 */
export function extractLabelAnswer(text: string, patterns: LabelPatterns): ExtractedAnswer | null {
  const found =
    [...text.matchAll(patterns.said)].pop()?.[1] ??
    patterns.bare.exec(text)?.[1] ??
    [...text.matchAll(patterns.standalone)].pop()?.[1];
  if (found === undefined) return null;
  const label = patterns.labels.find((candidate) => candidate.toLowerCase() === found.toLowerCase());
  return label === undefined ? null : { key: label, display: found };
}
