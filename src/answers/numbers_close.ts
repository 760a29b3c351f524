/** Whether two numbers are equal up to a relative tolerance of 1e-6 (absolute below 1). */
export function numbersClose(x: number, y: number): boolean {
  return Math.abs(x - y) <= 1e-6 * Math.max(1, Math.abs(x), Math.abs(y));
}
