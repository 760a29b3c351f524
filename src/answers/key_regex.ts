import { canonicalValueKey } from "./canonical_value.js";
import type { ExtractedAnswer } from "./types.js";

/**
 * The answer captured by a regular expression: the first capture group of its first match (the whole match when
 * the pattern has no group), canonicalized like a JSON field's value (numbers by value, strings trimmed). `null`
 * when the pattern does not match or captures only blanks.
 */
export function extractRegexAnswer(text: string, pattern: RegExp): ExtractedAnswer | null {
  const match = pattern.exec(text);
  if (!match) return null;
  const captured = match.length > 1 ? match[1] : match[0];
  if (captured === undefined) return null;
  const key = canonicalValueKey(captured);
  return key === null ? null : { key, display: captured.trim() };
}
