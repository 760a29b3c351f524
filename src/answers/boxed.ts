/**
 * Reading `\boxed{...}` answers. One brace scanner ({@link bracedGroup}) serves two readings that
 * differ on purpose:
 *
 * - {@link lastBoxed} (the pyramid's vote, via `extractMathAnswer`) reads only the last `\boxed{`:
 *   the vote wants a number, and a box without one falls through to `####`, "the answer is" and the
 *   last number; an unbraced `\boxed` or an `\fbox` does not count as a box there. The vote keys of
 *   recorded runs depend on this reading, so it is kept as it is.
 * - {@link lastBoxedLatex} (the MATH-500 grader) reads LaTeX answers in the manner of the reference
 *   MATH grading (Hendrycks et al.): the last `\boxed` or `\fbox`, braced (spaces before the brace
 *   allowed) or not (`\boxed 5`).
 */

/**
 * The content of the brace group whose `{` is at `open` (nested braces allowed), or `null` when
 * `text[open]` is not `{` or the group is never closed.
 */
export function bracedGroup(text: string, open: number): string | null {
  if (text[open] !== "{") return null;
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(open + 1, i);
  }
  return null;
}

/** The content of the last `\boxed{...}` in `text` (nested braces allowed), or `null`. */
export function lastBoxed(text: string): string | null {
  const start = text.lastIndexOf("\\boxed{");
  return start < 0 ? null : bracedGroup(text, start + "\\boxed".length);
}

/**
 * The content of the last `\boxed{...}` (or `\fbox{...}`) in `text`, with nested braces; `\boxed 5`
 * (no braces) is read too. `null` when there is none.
 */
export function lastBoxedLatex(text: string): string | null {
  const idx = Math.max(text.lastIndexOf("\\boxed"), text.lastIndexOf("\\fbox"));
  if (idx < 0) return null;
  let i = idx + (text.startsWith("\\boxed", idx) ? "\\boxed".length : "\\fbox".length);
  while (text[i] === " ") i += 1;
  if (text[i] !== "{") {
    const m = /^\s*([^\s$]+)/.exec(text.slice(i));
    return m ? m[1] : null;
  }
  return bracedGroup(text, i);
}
