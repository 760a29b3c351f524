import type { ExtractedAnswer } from "./types.js";

const FENCE = /```[ \t]*([\w+-]*)[^\n]*\r?\n([\s\S]*?)(?:```|$)/;

/** The first fenced code block of `text` (up to the end of the text when its closing fence is missing), or `null`. */
export function firstCodeBlock(text: string): string | null {
  const match = FENCE.exec(text);
  return match ? match[2] : null;
}

/**
 * Normalizes code for voting: drops `#` and `//` comment lines and trailing comments, blank lines,
 * trailing whitespace, and Windows line endings. Indentation is kept (it is meaningful in Python).
 */
export function normalizeCode(code: string): string {
  return code
    .replace(/\r\n?/g, "\n")
    .split("\n")
    .map((line) => line.replace(/\s+(#|\/\/)(?!.*["']).*$/, "").replace(/\s+$/, ""))
    .filter((line) => line.length > 0 && !/^\s*(#|\/\/)/.test(line))
    .join("\n");
}

/** Extracts the first fenced code block (or the whole output when there is none), normalized for voting. */
export function extractCodeAnswer(text: string): ExtractedAnswer | null {
  const code = firstCodeBlock(text) ?? text;
  const key = normalizeCode(code);
  return key.length > 0 ? { key, display: code } : null;
}
