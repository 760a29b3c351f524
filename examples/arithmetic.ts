/**
 * A small, safe arithmetic evaluator (no `eval`): numbers, `+ - * /` (also `x`, `×`, `÷`), unary minus and
 * parentheses, with the usual precedence. Used by the agent example's calculator tool and by the offline judge
 * that re-checks the equations written in candidate answers.
 */
import { DataFormatError } from "../src/index.js";

type Token = { kind: "number"; value: number } | { kind: "op"; value: string };

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const text = expression.replace(/[$,]/g, "").replace(/[×x]/g, "*").replace(/÷/g, "/");
  const pattern = /\s*(?:(\d+(?:\.\d+)?|\.\d+)|([+\-*/()]))/y;
  let index = 0;
  while (index < text.length) {
    if (/^\s*$/.test(text.slice(index))) break;
    pattern.lastIndex = index;
    const match = pattern.exec(text);
    if (!match) {
      throw new DataFormatError(`unexpected character "${text[index]}" in "${expression}"`, {
        field: "expression",
        fix: "use numbers, + - * / and parentheses",
      });
    }
    tokens.push(match[1] !== undefined ? { kind: "number", value: Number(match[1]) } : { kind: "op", value: match[2] });
    index = pattern.lastIndex;
  }
  return tokens;
}

/** Evaluates an arithmetic expression such as `"12 * (3 + 4)"` or `"$1,200 / 4"`. Throws `DataFormatError`. */
export function evaluateArithmetic(expression: string): number {
  const tokens = tokenize(expression);
  let position = 0;
  const fail = (what: string): never => {
    throw new DataFormatError(`${what} in "${expression}"`, {
      field: "expression",
      fix: "write a complete expression, e.g. 17 * 23",
    });
  };
  const peek = (): Token | undefined => tokens[position];
  const isOp = (token: Token | undefined, ops: string): token is { kind: "op"; value: string } =>
    token?.kind === "op" && ops.includes(token.value);

  const primary = (): number => {
    const token = tokens[position++];
    if (!token) return fail("unexpected end");
    if (token.kind === "number") return token.value;
    if (token.value === "-") return -primary();
    if (token.value === "+") return primary();
    if (token.value === "(") {
      const value = sum();
      if (!isOp(tokens[position++], ")")) fail("missing )");
      return value;
    }
    return fail(`unexpected "${token.value}"`);
  };
  const product = (): number => {
    let value = primary();
    for (let next = peek(); isOp(next, "*/"); next = peek()) {
      position++;
      const right = primary();
      value = next.value === "*" ? value * right : value / right;
    }
    return value;
  };
  const sum = (): number => {
    let value = product();
    for (let next = peek(); isOp(next, "+-"); next = peek()) {
      position++;
      const right = product();
      value = next.value === "+" ? value + right : value - right;
    }
    return value;
  };

  const value = sum();
  if (position < tokens.length) fail(`unexpected "${String(tokens[position].value)}"`);
  if (!Number.isFinite(value)) fail("the result is not a finite number");
  return value;
}

/** Formats a computed number for display: integers as is, others rounded to at most 6 decimals. */
export function formatResult(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(6)));
}
