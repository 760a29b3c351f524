import type { ExtractedAnswer } from "./types.js";

/** A Markdown-fenced code block of a model output. */
export interface CodeFence {
  /** Offset of the opening fence in the text. */
  readonly at: number;
  /** The info string's language word, in lower case (`""` when there is none). */
  readonly lang: string;
  /** The code, from the line after the opening fence up to the closing fence (or the end of the text). */
  readonly code: string;
}

const LANG_CHAR = /[\w+#.-]/;

/**
 * Every fenced code block of `text`, in order. A block's code runs from the line after its opening
 * ``` to the next ```, or to the end of the text when the last fence is never closed; a fence with
 * no line break after it opens no block. Shared by the vote ({@link firstCodeBlock}) and the code
 * graders (`fencedBlocks`). String search, not a regex: a fence pattern backtracks quadratically on
 * long lines of backticks.
 */
export function* codeFences(text: string): Generator<CodeFence> {
  let from = 0;
  for (;;) {
    const open = text.indexOf("```", from);
    if (open < 0) return;
    const lineEnd = text.indexOf("\n", open + 3);
    if (lineEnd < 0) return;
    let langStart = open + 3;
    while (text[langStart] === " " || text[langStart] === "\t") langStart++;
    let langEnd = langStart;
    while (LANG_CHAR.test(text[langEnd])) langEnd++; // stops at the line break at lineEnd
    const close = text.indexOf("```", lineEnd + 1);
    const code = text.slice(lineEnd + 1, close < 0 ? text.length : close);
    yield { at: open, lang: text.slice(langStart, langEnd).toLowerCase(), code };
    if (close < 0) return;
    from = close + 3;
  }
}

/** The first fenced code block of `text` (up to the end of the text when its closing fence is missing), or `null`. */
export function firstCodeBlock(text: string): string | null {
  for (const fence of codeFences(text)) return fence.code;
  return null;
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
