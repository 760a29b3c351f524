import type { ExtractedAnswer } from "./types.js";

/** The first fenced code block of `text` (up to the end of the text when its closing fence is missing), or `null`. */
export function firstCodeBlock(text: string): string | null {
  // String search, not a regex: a fence pattern backtracks quadratically on long lines of backticks.
  const open = text.indexOf("```");
  if (open < 0) return null;
  const lineEnd = text.indexOf("\n", open + 3);
  if (lineEnd < 0) return null;
  const close = text.indexOf("```", lineEnd + 1);
  return text.slice(lineEnd + 1, close < 0 ? text.length : close);
}

/**
 * Drops a trailing `#` or `//` comment (one not followed by a quote on its line). Only the part after the
 * line's last quote can hold one, and a match may only start where a whitespace run starts, so that the
 * search stays linear on long lines.
 */
function stripTrailingComment(line: string): string {
  const lastQuote = Math.max(line.lastIndexOf('"'), line.lastIndexOf("'"));
  const tail = line.slice(lastQuote + 1);
  return line.slice(0, lastQuote + 1) + tail.replace(/(?<!\s)\s+(#|\/\/)[\s\S]*$/, "");
}

/**
 * Normalizes code for voting: drops `#` and `//` comment lines and trailing comments, blank lines,
 * trailing whitespace, and Windows line endings. Indentation is kept (it is meaningful in Python).
 */
export function normalizeCode(code: string): string {
  return code
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => stripTrailingComment(line).trimEnd())
    .filter((line) => line.length > 0 && !/^\s*(#|\/\/)/.test(line))
    .join("\n");
}

/** Extracts the first fenced code block (or the whole output when there is none), normalized for voting. */
export function extractCodeAnswer(text: string): ExtractedAnswer | null {
  const code = firstCodeBlock(text) ?? text;
  const key = normalizeCode(code);
  return key.length > 0 ? { key, display: code } : null;
}
