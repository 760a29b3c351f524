const NUMBER_PATTERN = /-?\d+\s*\/\s*[1-9]\d*(?![\d.,])|-?(?:\$\s?)?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|-?\$?\.\d+/g;

/**
 * Normalizes a number as written by a model: drops `$`, thousands separators and trailing zeros, so
 * that `18`, `18.0`, `$18` and `18.00` are all `"18"`, and `1,800` is `"1800"`. Returns `null` when
 * `text` holds no number.
 */
export function normalizeNumber(text: string): string | null {
  const fraction = /^\s*(-?\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (fraction && Number(fraction[2]) !== 0) return formatNumber(Number(fraction[1]) / Number(fraction[2]));
  const cleaned = text.replace(/[$\s]/g, "").replace(/,(?=\d{3}(?:\D|$))/g, "");
  if (!/^-?(?:\d+(?:\.\d*)?|\.\d+)$/.test(cleaned)) return null;
  const value = Number(cleaned);
  if (!Number.isFinite(value)) return null;
  return formatNumber(value);
}

/** Formats a number canonically: integers without a decimal point, others with at most 6 decimals. */
export function formatNumber(value: number): string {
  if (Object.is(value, -0)) return "0";
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toFixed(6)));
}

/** Returns every number written in `text`, in order, as normalized keys with the text that matched. */
export function findNumbers(text: string): Array<{ key: string; raw: string }> {
  const found: Array<{ key: string; raw: string }> = [];
  for (const match of text.matchAll(NUMBER_PATTERN)) {
    const key = normalizeNumber(match[0]);
    if (key !== null) found.push({ key, raw: match[0].trim() });
  }
  return found;
}

/** The first number written in `text` (normalized), without normalizing the ones after it; `null` if none. */
export function firstNumber(text: string): { key: string; raw: string } | null {
  for (const match of text.matchAll(NUMBER_PATTERN)) {
    const key = normalizeNumber(match[0]);
    if (key !== null) return { key, raw: match[0].trim() };
  }
  return null;
}
