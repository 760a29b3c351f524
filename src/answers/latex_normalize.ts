import { lastBoxedLatex } from "./boxed.js";

/** Words that join alternatives: a number followed by one of them is not a number with a unit. */
const NOT_UNITS = new Set([
  "and",
  "or",
  "not",
  "if",
  "is",
  "are",
  "but",
  "when",
  "where",
  "for",
  "with",
  "to",
  "then",
  "because",
  "since",
]);

const UNICODE: ReadonlyArray<[RegExp, string]> = [
  [/\u2212|\u2013|\u2014/g, "-"],
  [/\u00d7/g, "\\times "],
  [/\u00b7|\u22c5/g, "\\cdot "],
  [/\u03c0/g, "\\pi "],
  [/\u221e/g, "\\infty "],
  [/\u2248/g, "="],
  [/\u221a\s*(\d+(?:\.\d+)?)/g, "\\sqrt{$1}"],
  [/\u221a/g, "\\sqrt"],
];

/** Drops a trailing unit (`46 feet`, `10 cm^2`, `5.4 cents`, `12 square units`) after a number or a closing brace. */
function dropTrailingUnits(s: string): string {
  if (s.length > 400) return s;
  const m = /^(.*?[\d}).])((?:\s+[a-zA-Z]{2,}\.?)+)(?:\^\{?\d\}?)?\s*$/.exec(s);
  if (!m) return s;
  const words = m[2].trim().toLowerCase().replace(/\./g, "").split(/\s+/);
  return words.some((w) => NOT_UNITS.has(w)) ? s : m[1];
}

/** A name the answer is given for: `x`, `a_n`, `f(2)`, `\theta`, `m + n`, `a+b+c`. */
const NAMED = /^\s*(?:[a-zA-Z](?:_\{?\w+\}?)?(?:\([^()=]*\))?|\\[a-zA-Z]+)(?:\s*[+-]\s*[a-zA-Z](?:_\{?\w+\}?)?)*\s*$/;

/**
 * `x = 5` -> `5`; a chain `a + b = 1 + 2 = 3` -> `3`. An equation with one `=` whose left side is not a name
 * (`x^5 + 7x^4 - 2 = 0`) is kept whole, as are lists (`x=1, y=2`) and inequalities.
 */
function lastSideOf(s: string): string {
  if (s.includes(",") || /[<>]|\\[lg]e(?![a-zA-Z])/.test(s)) return s; // without `=`, the one side is `s`
  const sides = s.split("=");
  return sides.length > 2 || NAMED.test(sides[0]) ? sides[sides.length - 1] : s;
}

/** Removes `\text{...}`-like wrappers, keeping their content. */
function unwrapText(s: string): string {
  let out = s;
  for (;;) {
    const next = out.replace(
      /\\(?:text|textbf|textit|textnormal|mbox|mathrm|mathbf|operatorname)\s*\{([^{}]*)\}/g,
      "$1",
    );
    if (next === out) return out;
    out = next;
  }
}

/**
 * Normalizes a MATH answer for comparison (in the spirit of Hendrycks et al.'s `strip_string`, and
 * more lenient with the plain-text answers chat models write): unwraps `\boxed{}` and `$...$`;
 * reads `\\frac` (double-escaped JSON) as `\frac`, Unicode `√ π × · − ∞`; removes `\left`/`\right`,
 * LaTeX spacing, `\$`/`$`, degrees (`^\circ`, `°`), percent signs, `\text{}`/`\mbox{}` wrappers, a trailing
 * unit word (`46 feet`, `5.4 \text{ cents}`), a leading `x =` (the last side of an `a = b = c` chain), thousands
 * separators (`1,000`, `1{,}000`, `1,\!000`), `\dfrac`/`\tfrac` -> `\frac`, `\frac12` -> `\frac{1}{2}`,
 * `\sqrt2` -> `\sqrt{2}`, all whitespace (one space stays between a command and a letter: `\pi r`), a trailing
 * period; `.5` -> `0.5`.
 */
export function normalizeMathAnswer(answer: string): string {
  let s = answer
    .trim()
    .replace(/^["'`]+|["'`]+$/g, "")
    .trim();
  s = lastBoxedLatex(s) ?? s;
  s = s.replace(/\\\\+(?=[a-zA-Z])/g, "\\");
  s = s.replace(/\\\\(?![a-zA-Z])/g, ";");
  for (const [pattern, replacement] of UNICODE) s = s.replace(pattern, replacement);
  s = s.replace(/\\(?:left|right|bigg|Bigg|big|Big)(?![a-zA-Z])/g, "");
  s = s.replace(/\\[!,;:]|\\ |~/g, " ");
  s = s.replace(/\\(?:dfrac|tfrac)/g, "\\frac");
  s = s.replace(/\\displaystyle/g, "");
  s = s.replace(/\\?\$/g, "");
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\u00b0|\\degree|\\circ/g, "");
  s = s.replace(/\\%|%/g, "");
  s = unwrapText(s);
  s = s.replace(/\s*\{,\}\s*/g, ",");
  s = s.trim().replace(/\.$/, "").trim();
  s = dropTrailingUnits(s);
  s = s.replace(/\^\s*\{?\s*\}?$/, "");
  s = s.replace(/\\(?:le|leq)(?![a-zA-Z])/g, "\\le").replace(/\\(?:ge|geq)(?![a-zA-Z])/g, "\\ge");
  s = lastSideOf(s);
  // All whitespace goes, but for one space between a command and a letter: `\pi r^2` is not the command `\pir`.
  s = s.replace(/(\\[a-zA-Z]+)?\s+(?=([a-zA-Z])?)/g, (_space, command?: string, letter?: string) =>
    command === undefined ? "" : letter === undefined ? command : `${command} `,
  );
  s = s.replace(/\.$/, "");
  s = s.replace(/(^|[^\d])\.(\d)/g, "$10.$2");
  s = s
    .replace(/\\frac(\d)(\d)/g, "\\frac{$1}{$2}")
    .replace(/\\frac(\d)\{/g, "\\frac{$1}{")
    .replace(/\\frac(\{[^{}]*\})(\d)/g, "\\frac$1{$2}");
  s = s.replace(/\\sqrt(\d+)/g, "\\sqrt{$1}");
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, "");
  s = s.replace(/^(\d+)_\{?(?:[a-z]|\d+)\}?$/, "$1");
  return s;
}
