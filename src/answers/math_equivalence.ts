/**
 * When two MATH answers are the same answer. One structure serves the pyramid's vote
 * ({@link mathAnswerKey}: equal keys vote together) and the grader ({@link mathAnswersEqual}: the same
 * reading, with a numeric tolerance instead of rounding):
 *
 * - a scalar is a number (`\frac{3}{4}`, `3/4`, `0.75`, `2\sqrt{5}`, `\frac{\pi}{2}`, `2^{10}`, `1\frac{4}{5}` as a
 *   mixed number), an expression in single-letter variables (compared by its values at fixed points), or text
 *   (`\text{Evelyn}`, `-\infty`), compared in lower case. A lone letter is a variable, in parentheses or not:
 *   `(C)`, `\text{(C)}` and `C` are one answer, `c` another (case tells variables apart);
 * - a bracketed list with top-level commas is an ordered tuple or interval whose brackets must match (`(1,-2)`,
 *   `[2,5)`); a list without brackets (`1, -2`, the MATH way to give several solutions), a set `\{1,2\}` and a union
 *   (`\cup`) are unordered; a `pmatrix`/`bmatrix` is an ordered list of its cells.
 */
import { evaluateExpression, expressionVariables } from "./latex_eval.js";
import { normalizeMathAnswer } from "./latex_normalize.js";
import { formatNumber } from "./normalize_number.js";
import { numbersClose } from "./numbers_close.js";

/** A parsed MATH answer (see the module comment). */
export type MathAnswerShape =
  | { readonly kind: "scalar"; readonly text: string }
  | {
      readonly kind: "list";
      readonly open: string;
      readonly close: string;
      readonly ordered: boolean;
      readonly parts: readonly MathAnswerShape[];
    };

/** Splits `s` at top-level occurrences of `separator` (outside `()[]{}`). */
function splitTopLevel(s: string, separator: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if ("([{".includes(c)) depth += 1;
    else if (")]}".includes(c)) depth -= 1;
    else if (depth === 0 && s.startsWith(separator, i)) {
      parts.push(s.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** Whether the bracket opening at 0 closes at the very end of `s`. */
function wrapsWhole(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    if ("([{".includes(s[i])) depth += 1;
    else if (")]}".includes(s[i])) {
      depth -= 1;
      if (depth === 0 && i < s.length - 1) return false;
    }
  }
  return depth === 0;
}

function list(open: string, close: string, ordered: boolean, parts: string[]): MathAnswerShape {
  return { kind: "list", open, close, ordered, parts: parts.map(shapeOf) };
}

/** The structure of a normalized answer. */
function shapeOf(s: string): MathAnswerShape {
  const matrix = /^\\begin\{([pbv]?matrix)\}(.*)\\end\{\1\}$/.exec(s);
  if (matrix)
    return list(
      "M[",
      "]",
      true,
      matrix[2].split(/;|&/).filter((cell) => cell.length > 0),
    );
  if (s.startsWith("\\{") && s.endsWith("\\}")) return list("{", "}", false, splitTopLevel(s.slice(2, -2), ","));
  const union = splitTopLevel(s, "\\cup");
  if (union.length > 1) return list("U", "", false, union);
  if ("([".includes(s[0]) && ")]".includes(s[s.length - 1]) && wrapsWhole(s)) {
    const parts = splitTopLevel(s.slice(1, -1), ",");
    if (parts.length > 1) return list(s[0], s[s.length - 1], true, parts);
  }
  const parts = splitTopLevel(s, ",");
  if (parts.length > 1) return list("", "", false, parts);
  return { kind: "scalar", text: s };
}

/** Parses a MATH answer (after {@link normalizeMathAnswer}) into its structure; `null` when it is empty. */
export function parseMathAnswer(answer: string): MathAnswerShape | null {
  const s = normalizeMathAnswer(answer);
  return s.length === 0 ? null : shapeOf(s);
}

/** Replaces `\frac{a}{b}` by `(a)/(b)`, `\sqrt{x}` by `sqrt(x)` and `\sqrt[n]{x}` by `(x)^(1/(n))`, innermost first. */
function latexToArithmetic(s: string): string | null {
  let out = s.replace(/^(-?)(\d+)\\frac\{(\d+)\}\{(\d+)\}$/, "$1($2+$3/$4)");
  for (;;) {
    const next = out
      .replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)")
      .replace(/\\sqrt\[([^[\]{}]*)\]\{([^{}]*)\}/g, "($2)^(1/($1))")
      .replace(/\\sqrt\{([^{}]*)\}/g, "sqrt($1)")
      .replace(/\^\{([^{}]*)\}/g, "^($1)");
    if (next === out) break;
    out = next;
  }
  out = out
    .replace(/\*\*/g, "^")
    .replace(/\\pi(?![a-zA-Z])/g, "pi")
    .replace(/\\(?:cdot|times)(?![a-zA-Z])/g, "*")
    .replace(/\\(sin|cos|tan|ln|log|exp)(?![a-zA-Z])/g, "$1")
    .replace(/\{/g, "(")
    .replace(/\}/g, ")");
  return out.includes("\\") ? null : out;
}

/** Whether a scalar reads as words rather than as an expression in single-letter variables. */
function isText(s: string): boolean {
  const bare = s.replace(/\\[a-zA-Z]+/g, " ").replace(/\b(?:pi|sqrt|sin|cos|tan|ln|log|exp)\b/g, " ");
  return /[a-zA-Z]{3,}/.test(bare) || /^[a-zA-Z]{2,}$/.test(bare);
}

/** Two fixed assignments of the variables (the same letter always gets the same values). */
function points(vars: readonly string[]): Record<string, number>[] {
  return [0, 1].map((k) =>
    Object.fromEntries(
      vars.map((v) => [v, k === 0 ? 1.13 + (v.charCodeAt(0) % 7) * 0.173 : 2.31 - (v.charCodeAt(0) % 5) * 0.211]),
    ),
  );
}

/** The value(s) of a scalar: one number, or the values at {@link points} for an expression in variables. */
function scalarValues(text: string): { vars: string; values: number[] } | null {
  if (isText(text)) return null;
  const arithmetic = latexToArithmetic(text);
  if (arithmetic === null) return null;
  const vars = expressionVariables(arithmetic);
  if (vars.length === 0) {
    const value = evaluateExpression(arithmetic);
    return value === null ? null : { vars: "", values: [value] };
  }
  if (vars.length > 3) return null;
  const values: number[] = [];
  for (const point of points(vars)) {
    const value = evaluateExpression(arithmetic, point);
    if (value === null) return null;
    values.push(value);
  }
  return { vars: vars.join(""), values };
}

/** The text form of a scalar that has no value: lower case. */
function textKey(text: string): string {
  return text.toLowerCase();
}

function keyOf(shape: MathAnswerShape): string {
  if (shape.kind === "scalar") {
    const v = scalarValues(shape.text);
    if (v === null) return textKey(shape.text);
    const values = v.values.map((x) => formatNumber(x)).join(",");
    return v.vars === "" ? values : `f(${v.vars})=${values}`;
  }
  const parts = shape.parts.map(keyOf);
  if (!shape.ordered) parts.sort();
  return `${shape.open}${parts.join(",")}${shape.close}`;
}

/**
 * The vote key of a MATH answer: equivalent answers get the same key (`\frac{3}{4}`, `3/4`, `0.75` -> `0.75`;
 * `(1, -2)`; `\text{Evelyn}` -> `evelyn`). Numbers are rounded to 6 decimals, as the GSM8K keys are. `null` for an
 * empty answer.
 */
export function mathAnswerKey(answer: string): string | null {
  const shape = parseMathAnswer(answer);
  return shape === null ? null : keyOf(shape);
}

function scalarsEqual(a: string, b: string): boolean {
  const x = scalarValues(a);
  const y = scalarValues(b);
  if (x === null || y === null) return x === null && y === null && textKey(a) === textKey(b);
  return (
    x.vars === y.vars &&
    x.values.length === y.values.length &&
    x.values.every((value, i) => numbersClose(value, y.values[i]))
  );
}

function shapesEqual(a: MathAnswerShape, b: MathAnswerShape): boolean {
  if (a.kind === "scalar" || b.kind === "scalar")
    return a.kind === "scalar" && b.kind === "scalar" && scalarsEqual(a.text, b.text);
  // The brackets decide whether a list is ordered (see shapeOf).
  if (a.open !== b.open || a.close !== b.close || a.parts.length !== b.parts.length) return false;
  if (a.ordered) return a.parts.every((part, i) => shapesEqual(part, b.parts[i]));
  const unused = [...b.parts];
  return a.parts.every((part) => {
    const at = unused.findIndex((other) => shapesEqual(part, other));
    if (at < 0) return false;
    unused.splice(at, 1);
    return true;
  });
}

/**
 * Whether two MATH answers are equivalent (see the module comment): the same structure, numbers equal within a
 * relative tolerance of 1e-6, expressions equal at fixed values of their variables, text equal in lower case.
 */
export function mathAnswersEqual(candidate: string, gold: string): boolean {
  const a = parseMathAnswer(candidate);
  const b = parseMathAnswer(gold);
  return a !== null && b !== null && shapesEqual(a, b);
}
