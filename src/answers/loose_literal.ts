import { decodeJsonStringLoosely } from "./math_answer_text.js";

/** Deepest nesting a loose literal may have: deeper input is refused (hostile outputs). */
const MAX_DEPTH = 64;

/** A value parsed from text, and where it ended. */
export interface LooseParse {
  /** The parsed value: JSON values; Python tuples become arrays. */
  readonly value: unknown;
  /** Index just after the value. */
  readonly end: number;
}

const WORDS: Readonly<Record<string, unknown>> = {
  true: true,
  false: false,
  null: null,
  True: true,
  False: false,
  None: null,
};

class Cursor {
  constructor(
    readonly text: string,
    public at: number,
  ) {}
  skip(): void {
    while (/\s/.test(this.text.charAt(this.at))) this.at++; // charAt: "" past the end
  }
  peek(): string {
    this.skip();
    return this.text.charAt(this.at);
  }
}

function parseString(cursor: Cursor, quote: string): string | undefined {
  const { text } = cursor;
  let index = cursor.at + 1;
  while (index < text.length && text[index] !== quote) {
    if (text[index] === "\\") index++;
    index++;
  }
  if (index >= text.length) return undefined;
  const body = text.slice(cursor.at + 1, index);
  cursor.at = index + 1;
  return decodeJsonStringLoosely(quote === "'" ? body.replace(/\\'/g, "'") : body);
}

function parseSequence(cursor: Cursor, close: string, depth: number): unknown[] | undefined {
  cursor.at++;
  const items: unknown[] = [];
  while (cursor.peek() !== close) {
    const item = parseValue(cursor, depth + 1);
    if (item === undefined) return undefined;
    items.push(item.value);
    const next = cursor.peek();
    if (next === ",") cursor.at++;
    else if (next !== close) return undefined;
  }
  cursor.at++;
  return items;
}

function parseObject(cursor: Cursor, depth: number): Record<string, unknown> | undefined {
  cursor.at++;
  const object: Record<string, unknown> = {};
  while (cursor.peek() !== "}") {
    const quote = cursor.peek();
    if (quote !== '"' && quote !== "'") return undefined;
    const key = parseString(cursor, quote);
    if (key === undefined || cursor.peek() !== ":") return undefined;
    cursor.at++;
    const item = parseValue(cursor, depth + 1);
    if (item === undefined) return undefined;
    // Own property even for "__proto__", so a hostile key cannot change the object's prototype.
    Object.defineProperty(object, key, { value: item.value, enumerable: true, writable: true, configurable: true });
    const next = cursor.peek();
    if (next === ",") cursor.at++;
    else if (next !== "}") return undefined;
  }
  cursor.at++;
  return object;
}

function parseValue(cursor: Cursor, depth: number): LooseParse | undefined {
  if (depth > MAX_DEPTH) return undefined;
  const first = cursor.peek();
  let value: unknown;
  if (first === "{") value = parseObject(cursor, depth);
  else if (first === "[") value = parseSequence(cursor, "]", depth);
  else if (first === "(") value = parseSequence(cursor, ")", depth);
  else if (first === '"' || first === "'") value = parseString(cursor, first);
  else {
    const word = /^(?:-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|true|false|null|True|False|None)/.exec(
      cursor.text.slice(cursor.at, cursor.at + 64),
    );
    if (!word) return undefined;
    cursor.at += word[0].length;
    value = word[0] in WORDS ? WORDS[word[0]] : Number(word[0]);
    return { value, end: cursor.at };
  }
  return value === undefined ? undefined : { value, end: cursor.at };
}

/**
 * Parses one JSON or Python literal starting at `start` (after optional whitespace): objects with double- or
 * single-quoted keys, arrays, tuples (as arrays), strings in either quotes (backslashes decoded the way models mean
 * them, see `decodeJsonStringLoosely`), numbers, `true`/`True`, `false`/`False`, `null`/`None`, and trailing commas.
 * Text after the value is ignored. `undefined` when no literal starts there or it nests deeper than 64 levels.
 */
export function parseLooseLiteral(text: string, start = 0): LooseParse | undefined {
  return parseValue(new Cursor(text, start), 0);
}
