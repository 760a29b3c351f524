import type { BenchFigure } from "./types.js";

/** Median of a non-empty list (mean of the two middle values for an even count); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `[min, max]` of a non-empty list; `[NaN, NaN]` when empty. */
export function range(values: readonly number[]): [number, number] {
  if (values.length === 0) return [Number.NaN, Number.NaN];
  return [Math.min(...values), Math.max(...values)];
}

/** A monotonic clock in milliseconds. */
export function now(): number {
  return performance.now();
}

/** What {@link figure} needs: the per-repeat measurements of the value and of its baseline. */
export interface FigureInput {
  /** Section of the figure. */
  readonly section: string;
  /** What was measured. */
  readonly name: string;
  /** Unit of the value and baseline. */
  readonly unit: string;
  /** One measurement of the value per repeat. */
  readonly values: readonly number[];
  /** One measurement of the baseline per repeat (same length, paired with `values`). */
  readonly baselines: readonly number[];
  /** Largest acceptable ratio (value / baseline), when the figure has a target. */
  readonly maxRatio?: number;
  /** Smallest acceptable ratio, when the figure has a target (e.g. throughput). */
  readonly minRatio?: number;
  /** Free text. */
  readonly note?: string;
}

/**
 * Builds a {@link BenchFigure}: value and baseline are medians over the repeats, the ratio is their
 * quotient, and the spread is the [min, max] of the per-repeat ratios (each repeat measures both).
 */
export function figure(input: FigureInput): BenchFigure {
  const value = median(input.values);
  const baseline = median(input.baselines);
  const ratio = value / baseline;
  const ratios = input.values.map((v, i) => v / input.baselines[i]);
  let target = "";
  let met: boolean | undefined;
  if (input.maxRatio !== undefined) {
    target = `<= ${input.maxRatio}x`;
    met = ratio <= input.maxRatio;
  } else if (input.minRatio !== undefined) {
    target = `>= ${input.minRatio}x`;
    met = ratio >= input.minRatio;
  }
  return {
    section: input.section,
    name: input.name,
    value,
    baseline,
    unit: input.unit,
    ratio,
    spread: range(ratios),
    target,
    ...(met !== undefined ? { met } : {}),
    ...(input.note ? { note: input.note } : {}),
  };
}

/** Rotates `items` left by `by` positions (used to vary the order of interleaved variants per round). */
export function rotate<T>(items: readonly T[], by: number): T[] {
  const k = ((by % items.length) + items.length) % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
