/**
 * Number reading for the GSM8K grader. The formatting and the fraction arithmetic are the answer
 * extractors' (`src/answers/normalize_number.ts`, the runtime path of the pyramid's vote); the
 * reading itself differs on purpose, and must stay as it is for the grader to keep its verdicts
 * (and its agreement with the recorded upstream verdicts):
 *
 * - every comma between digits is dropped (`"1,2"` is 12, `"12,3456"` is 123456), whereas the vote
 *   joins only 3-digit groups, so that a list like `"3,4,12"` ends with its own last number;
 * - `€ £ ¥` and a Unicode minus are read, and a minus may stand apart from its digits (`"- 5"`);
 * - canonical strings keep 10 decimals, since graded numbers are compared with a tolerance
 *   ({@link sameNumber}) rather than as vote keys (6 decimals).
 */
import { formatNumber, fractionValue } from "../../answers/normalize_number.js";
import { numbersClose } from "../../answers/numbers_close.js";

/** Decimals kept in a graded number (see the module comment). */
const GRADED_DECIMALS = 10;

/**
 * Normalizes a numeric answer string: drops currency signs, thousands separators, spaces, a
 * trailing `%` or unit word, and trailing zeros after a decimal point. `"$57,500.00"` -> `"57500"`.
 * Returns `null` when the text holds no number.
 */
export function normalizeNumber(text: string): string | null {
  const match = firstNumber(text);
  if (match === null) return null;
  const value = Number(match);
  if (!Number.isFinite(value)) return null;
  return canonicalNumber(value);
}

/** The canonical string of a number: integers without decimals, others with at most 10 decimals. */
export function canonicalNumber(value: number): string {
  return formatNumber(value, GRADED_DECIMALS);
}

const NUMBER = /-?\s*\d(?:[\d,]*\d)?(?:\.\d+)?|-?\.\d+/;
const NUMBER_GLOBAL = new RegExp(NUMBER.source, "g");

/** A matched number as a plain decimal string: without spaces and without any comma. */
function clean(raw: string): string {
  return raw.replace(/[\s,]/g, "");
}

/** Removes currency signs and turns a Unicode minus into `-`, so that `-$8` reads as -8. */
function stripCurrency(text: string): string {
  return text.replace(/[$€£¥]/g, "").replace(/\u2212/g, "-");
}

/** The first number in `text` as a plain decimal string (commas and currency removed), or `null`. */
export function firstNumber(text: string): string | null {
  const m = NUMBER.exec(stripCurrency(text));
  return m ? clean(m[0]) : null;
}

/**
 * The value of the first number in `text`, reading `a/b` (e.g. `2/3`) as a fraction; `null` when
 * there is no number.
 */
export function firstNumberOrFraction(text: string): number | null {
  const s = stripCurrency(text);
  const frac = /(-?\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)/.exec(s);
  const m = NUMBER.exec(s);
  if (!m) return null;
  // NUMBER may start its match at the spaces before the digits (`-?\s*`): "about 3/4" matches " 3", so the
  // fraction is the same number when it starts where the match's text does, past those spaces.
  const start = m.index + m[0].length - m[0].trimStart().length;
  if (frac && frac.index === start) {
    const value = fractionValue(frac[1], frac[2]);
    if (value !== null) return value;
  }
  const value = Number(clean(m[0]));
  return Number.isFinite(value) ? value : null;
}

/** The last number in `text` as a plain decimal string (commas removed), or `null`. */
export function lastNumber(text: string): string | null {
  const all = stripCurrency(text).match(NUMBER_GLOBAL);
  return all && all.length > 0 ? clean(all[all.length - 1]) : null;
}

export { numbersClose } from "../../answers/numbers_close.js";

/** Whether two numeric strings denote the same number (relative tolerance 1e-6). */
export function sameNumber(a: string, b: string): boolean {
  const x = Number(a);
  const y = Number(b);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return numbersClose(x, y);
}
