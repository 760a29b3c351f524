import type { ExtractedAnswer } from "./types.js";

/**
 * Normalizes free text for voting: Unicode NFKC, lower case, collapsed whitespace, and without
 * surrounding quotes or trailing punctuation.
 */
export function extractTextAnswer(text: string): ExtractedAnswer | null {
  const key = text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^["'`]+|["'`.!?;:,]+$/g, "")
    .trim();
  return key.length > 0 ? { key, display: text.trim() } : null;
}
