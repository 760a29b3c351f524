import { lastBoxedLatex } from "../../answers/boxed.js";
import { evaluateExpression } from "./latex_eval.js";
import { numbersClose } from "./number.js";

/**
 * The final answer of a MATH solution: the last `\boxed{}` (as {@link lastBoxedLatex} reads it);
 * else the text after "the answer is" / "final answer:"; else the last `$...$` span. `null` when none.
 */
export function extractMathAnswer(output: string): string | null {
  const boxed = lastBoxedLatex(output);
  if (boxed !== null) return boxed;
  const said = /(?:final answer|the answer)\s*(?:is|:)\s*:?\s*\$*([^\n$]+?)\$*\s*\.?\s*$/im.exec(output);
  if (said) return said[1];
  const spans = [...output.matchAll(/\$([^$]+)\$/g)];
  return spans.length > 0 ? spans[spans.length - 1][1] : null;
}

/** Replaces `\frac{a}{b}` (and `\frac12`, `\frac1{b}`, `\frac{a}2`) by `(a)/(b)`, innermost first. */
function fracsToSlash(s: string): string {
  let prev = "";
  let out = s;
  while (prev !== out) {
    prev = out;
    out = out
      .replace(/\\frac\{([^{}]*)\}\{([^{}]*)\}/g, "($1)/($2)")
      .replace(/\\frac(\d)(\d)/g, "($1)/($2)")
      .replace(/\\frac(\d)\{([^{}]*)\}/g, "($1)/($2)")
      .replace(/\\frac\{([^{}]*)\}(\d)/g, "($1)/($2)");
  }
  return out;
}

/**
 * Normalizes a MATH answer for string comparison (in the spirit of Hendrycks et al.'s
 * `strip_string`): removes `\left`/`\right`, LaTeX spacing (`\!`, `\,`, `\;`, `\:`, `\ `), `$`,
 * `\text{}`/`\mbox{}` wrappers and trailing unit words, degrees (`^\circ`), percent signs, a leading
 * `x =`, `\dfrac`/`\tfrac` -> `\frac`, and all whitespace; `.5` -> `0.5`; a trailing period.
 */
export function normalizeMathAnswer(answer: string): string {
  let s = answer.trim();
  s = s.replace(/\\left|\\right|\\big|\\Big|\\bigg|\\Bigg/g, "");
  s = s.replace(/\\[!,;:]|\\ |~/g, " ");
  s = s.replace(/\\(?:dfrac|tfrac)/g, "\\frac");
  s = s.replace(/\\?\$/g, "");
  s = s.replace(/\^\s*\{?\\circ\}?|°|\\degree/g, "");
  s = s.replace(/\\%|%/g, "");
  // Units and words in \text{...}: keep the content when it is the whole answer, drop trailing units.
  s = s.replace(/\\(?:text|textbf|mbox|mathrm)\{([^{}]*)\}/g, "$1");
  s = s.replace(/\s+(?:units?|degrees?|cm|m|km|inches|inch|feet|ft|meters?|dollars?|cents?|square|sq|hours?|minutes?|seconds?|mph|miles?)(?:\^?\{?\d\}?)?\s*$/i, "");
  s = s.replace(/^\s*[a-zA-Z]\s*=\s*/, "");
  s = s.replace(/\\displaystyle/g, "");
  s = s.replace(/\s+/g, "");
  s = s.replace(/\.$/, "");
  s = s.replace(/(^|[^\d])\.(\d)/g, "$10.$2");
  s = s.replace(/\\frac(\d)(\d)/g, "\\frac{$1}{$2}").replace(/\\frac(\d)\{/g, "\\frac{$1}{");
  s = s.replace(/\\sqrt(\d+)/g, "\\sqrt{$1}");
  s = s.replace(/,\\!?(?=\d{3}(?!\d))/g, "");
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, "");
  return s;
}

/** The normalized answer as plain arithmetic for {@link evaluateExpression}, or `null`. */
function toArithmetic(normalized: string): string {
  let s = fracsToSlash(normalized);
  s = s.replace(/\\sqrt\{([^{}]*)\}/g, "sqrt($1)");
  s = s.replace(/\\pi/g, "pi").replace(/\\cdot|\\times/g, "*");
  s = s.replace(/\{/g, "(").replace(/\}/g, ")");
  return s;
}

/** Splits a tuple/interval/list at top-level commas: `(1,\frac{1}{2})` -> open `(`, parts, close `)`. */
function splitTuple(s: string): { open: string; parts: string[]; close: string } | null {
  const open = s[0];
  const close = s[s.length - 1];
  const bracketed = "([".includes(open) && ")]".includes(close);
  const body = bracketed ? s.slice(1, -1) : s;
  const parts: string[] = [];
  let depth = 0;
  let cur = "";
  for (const c of body) {
    if ("({[".includes(c)) depth += 1;
    if (")}]".includes(c)) depth -= 1;
    if (c === "," && depth === 0) {
      parts.push(cur);
      cur = "";
    } else cur += c;
  }
  parts.push(cur);
  if (parts.length < 2) return null;
  return { open: bracketed ? open : "", parts, close: bracketed ? close : "" };
}

function scalarEqual(a: string, b: string): boolean {
  if (a === b) return true;
  const x = evaluateExpression(toArithmetic(a));
  const y = evaluateExpression(toArithmetic(b));
  if (x === null || y === null) return false;
  return numbersClose(x, y);
}

/**
 * Whether two MATH answers are equivalent: equal after {@link normalizeMathAnswer}, or equal as
 * numbers (fractions, `a/b`, decimals, `\sqrt`, `\pi`), element by element for tuples and intervals
 * (bracket types must match for intervals).
 */
export function mathAnswersEqual(candidate: string, gold: string): boolean {
  const a = normalizeMathAnswer(candidate);
  const b = normalizeMathAnswer(gold);
  if (a.length === 0 || b.length === 0) return false;
  if (a === b) return true;
  const ta = splitTuple(a);
  const tb = splitTuple(b);
  if (ta && tb) {
    if (ta.parts.length !== tb.parts.length || ta.open !== tb.open || ta.close !== tb.close) return false;
    return ta.parts.every((p, i) => scalarEqual(p, tb.parts[i]));
  }
  if (ta || tb) return false;
  return scalarEqual(a, b);
}

/** Grades a MATH-500 output (its last `\boxed{}`) against the gold answer. */
export function gradeMath(output: string, gold: string): { correct: boolean; answer: string | null } {
  const answer = extractMathAnswer(output);
  return { correct: answer !== null && mathAnswersEqual(answer, gold), answer };
}
