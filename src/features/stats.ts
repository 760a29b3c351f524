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

/** Smallest value; NaN for an empty list. A loop: `Math.min(...values)` overflows the stack on long lists. */
export function min(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  let smallest = Number.POSITIVE_INFINITY;
  for (const value of values) {
    if (Number.isNaN(value)) return Number.NaN;
    if (value < smallest) smallest = value;
  }
  return smallest;
}
