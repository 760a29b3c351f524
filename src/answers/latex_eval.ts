/**
 * A tiny, safe numeric evaluator for normalized LaTeX-ish math (no `eval`): numbers, `+ - * / ^`,
 * parentheses, unary minus, `pi`, `e`, the functions `sqrt sin cos tan ln log exp`, implicit
 * multiplication (`2sqrt(3)`, `3pi`, `2x`), and single-letter variables when `vars` gives their
 * values. Returns `null` on anything else (an unknown word, a letter without a value, a result that is
 * not finite).
 */
export function evaluateExpression(input: string, vars: Readonly<Record<string, number>> = {}): number | null {
  const tokens = tokenize(input);
  if (tokens === null || tokens.length === 0) return null;
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const next = (): string | undefined => tokens[pos++];

  function primary(): number | null {
    const t = next();
    if (t === undefined) return null;
    if (t === "(") {
      const v = expr();
      if (next() !== ")") return null;
      return v;
    }
    if (t === "-") {
      const v = power();
      return v === null ? null : -v;
    }
    if (t === "+") return power();
    if (t === "pi") return Math.PI;
    if (t === "e") return Math.E;
    const fn = FUNCTIONS[t];
    if (fn) {
      if (next() !== "(") return null;
      const v = expr();
      if (next() !== ")" || v === null) return null;
      return fn(v);
    }
    const number = Number(t); // the tokenizer's numbers: `12`, `1.5`, `2.`, `.5`; NaN for every other token
    if (!Number.isNaN(number)) return number;
    if (/^[a-zA-Z]$/.test(t)) return Object.hasOwn(vars, t) ? vars[t] : null;
    return null;
  }
  function power(): number | null {
    const base = primary();
    if (base === null) return null;
    if (peek() === "^") {
      next();
      const exp = power();
      return exp === null ? null : base ** exp;
    }
    return base;
  }
  function term(): number | null {
    let v = power();
    for (;;) {
      if (v === null) return null;
      const t = peek();
      if (t === "*" || t === "/") {
        next();
        const r = power();
        if (r === null) return null;
        v = t === "*" ? v * r : v / r;
      } else if (t !== undefined && (t === "(" || /^[a-zA-Z\d.]/.test(t))) {
        const r = power(); // implicit multiplication
        if (r === null) return null;
        v *= r;
      } else return v;
    }
  }
  function expr(): number | null {
    let v = term();
    for (;;) {
      if (v === null) return null;
      const t = peek();
      if (t === "+" || t === "-") {
        next();
        const r = term();
        if (r === null) return null;
        v = t === "+" ? v + r : v - r;
      } else return v;
    }
  }
  const value = expr();
  if (pos !== tokens.length || value === null || !Number.isFinite(value)) return null;
  return value;
}

const FUNCTIONS: Readonly<Record<string, (x: number) => number>> = {
  sqrt: Math.sqrt,
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  ln: Math.log,
  log: Math.log10,
  exp: Math.exp,
};

/** The letters of `input` that {@link evaluateExpression} reads as variables (sorted, distinct). */
export function expressionVariables(input: string): string[] {
  const tokens = tokenize(input);
  if (tokens === null) return [];
  return [...new Set(tokens.filter((t) => /^[a-zA-Z]$/.test(t) && t !== "e"))].sort();
}

function tokenize(s: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === " ") {
      i += 1;
      continue;
    }
    const num = /^(\d+\.?\d*|\.\d+)/.exec(s.slice(i));
    if (num) {
      out.push(num[1]);
      i += num[1].length;
      continue;
    }
    const word = /^(pi|sqrt|sin|cos|tan|ln|log|exp)(?![a-z])/.exec(s.slice(i));
    if (word) {
      out.push(word[1]);
      i += word[1].length;
      continue;
    }
    if (/[a-zA-Z]/.test(c)) {
      out.push(c);
      i += 1;
      continue;
    }
    if ("+-*/^()".includes(c)) {
      out.push(c);
      i += 1;
      continue;
    }
    return null;
  }
  return out;
}
