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
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(10)));
}

const NUMBER = /-?\s*\d(?:[\d,]*\d)?(?:\.\d+)?|-?\.\d+/;
const NUMBER_GLOBAL = new RegExp(NUMBER.source, "g");

function clean(raw: string): string {
  let s = raw.replace(/\s+/g, "");
  // "1,234,567" thousands separators; a comma followed by exactly 3 digits groups.
  s = s.replace(/,(?=\d{3}(?:\D|$))/g, "");
  s = s.replace(/,/g, "");
  return s;
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
  if (frac && frac.index === m.index) {
    const den = Number(frac[2]);
    if (den !== 0) return Number(frac[1]) / den;
  }
  const value = Number(clean(m[0]));
  return Number.isFinite(value) ? value : null;
}

/** The last number in `text` as a plain decimal string (commas removed), or `null`. */
export function lastNumber(text: string): string | null {
  const all = stripCurrency(text).match(NUMBER_GLOBAL);
  return all && all.length > 0 ? clean(all[all.length - 1]) : null;
}

/** Whether two numeric strings denote the same number (relative tolerance 1e-6). */
export function sameNumber(a: string, b: string): boolean {
  const x = Number(a);
  const y = Number(b);
  if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
  return Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
}
