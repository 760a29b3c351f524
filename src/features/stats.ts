/** Arithmetic mean; NaN for an empty list. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** Population standard deviation; NaN for an empty list. */
export function std(values: readonly number[]): number {
  const m = mean(values);
  if (Number.isNaN(m)) return Number.NaN;
  let sum = 0;
  for (const value of values) sum += (value - m) ** 2;
  return Math.sqrt(sum / values.length);
}

/** Smallest value; NaN for an empty list. */
export function min(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : Math.min(...values);
}
