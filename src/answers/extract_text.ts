import type { ExtractedAnswer } from "./types.js";

const LEADING = "\"'`";
const TRAILING = "\"'`.!?;:,";

/**
 * Drops leading quotes and trailing quotes/punctuation. A loop, not `/["'`.!?;:,]+$/`, which backtracks
 * quadratically on long runs of punctuation that do not end the text.
 */
function stripEdges(text: string): string {
  let start = 0;
  while (start < text.length && LEADING.includes(text[start])) start++;
  let end = text.length;
  while (end > start && TRAILING.includes(text[end - 1])) end--;
  return text.slice(start, end);
}

/**
 * Normalizes free text for voting: Unicode NFKC, lower case, collapsed whitespace, and without
 * surrounding quotes or trailing punctuation.
 */
export function extractTextAnswer(text: string): ExtractedAnswer | null {
  const key = stripEdges(text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim()).trim();
  return key.length > 0 ? { key, display: text.trim() } : null;
}
