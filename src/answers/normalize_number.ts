const NUMBER_PATTERN = /-?\d+\s*\/\s*[1-9]\d*(?![\d.,])|-?(?:\$\s?)?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\$?\.\d+/g;

/**
 * Decimals kept in a vote key: few enough that `0.3333333` and `1/3` are one answer (keys are
 * compared as strings, with no tolerance).
 */
const VOTE_DECIMALS = 6;

/**
 * Formats a number canonically: integers without a decimal point, others rounded to at most
 * `decimals` decimals (default 6, the vote keys' precision) without trailing zeros; `-0` is `"0"`.
 * The graders use the same formatting with 10 decimals (`canonicalNumber`), since they compare
 * with a tolerance rather than by string.
 */
export function formatNumber(value: number, decimals: number = VOTE_DECIMALS): string {
  if (Object.is(value, -0)) return "0";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(decimals)));
}

/** The value of the fraction `numerator / denominator` (decimal strings), or `null` when the denominator is 0. */
export function fractionValue(numerator: string, denominator: string): number | null {
  const den = Number(denominator);
  return den === 0 ? null : Number(numerator) / den;
}

/**
 * Normalizes a number as written by a model: drops `$`, thousands separators and trailing zeros, so
 * that `18`, `18.0`, `$18` and `18.00` are all `"18"`, and `1,800` is `"1800"`; `3/4` is `"0.75"`.
 * Returns `null` when `text` is not a single number (`"50%"` is not; `findNumbers` reads the 50).
 */
export function normalizeNumber(text: string): string | null {
  const fraction = /^\s*(-?\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const value = fraction ? fractionValue(fraction[1], fraction[2]) : null;
  if (value !== null) return formatNumber(value);
  const cleaned = text.replace(/[$\s]/g, "").replace(/,(?=\d{3}(?:\D|$))/g, "");
  if (!/^-?(?:\d+(?:\.\d*)?|\.\d+)$/.test(cleaned)) return null;
  const number = Number(cleaned);
  if (!Number.isFinite(number)) return null;
  return formatNumber(number);
}

/**
 * Returns every number written in `text`, in order, as normalized keys with the text that matched.
 * Only 3-digit groups join digits across a comma (`1,800` is one number, `3,4` two), so that a list
 * like `"3,4,12"` still ends with its last number.
 */
export function findNumbers(text: string): Array<{ key: string; raw: string }> {
  const found: Array<{ key: string; raw: string }> = [];
  for (const match of text.matchAll(NUMBER_PATTERN)) {
    const key = normalizeNumber(match[0]);
    if (key !== null) found.push({ key, raw: match[0] }); // a match starts and ends with a digit, `-`, `$` or `.`
  }
  return found;
}

/** The first number written in `text` (normalized), without normalizing the ones after it; `null` if none. */
export function firstNumber(text: string): { key: string; raw: string } | null {
  for (const match of text.matchAll(NUMBER_PATTERN)) {
    const key = normalizeNumber(match[0]);
    if (key !== null) return { key, raw: match[0] };
  }
  return null;
}
