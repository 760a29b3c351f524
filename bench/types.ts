/**
 * One figure of `npm run bench`: a measurement, the baseline measured in the same run, and the target.
 * Every figure is reported as a ratio against its baseline, never as an absolute timing assertion.
 */
export interface BenchFigure {
  /** Section the figure belongs to, e.g. "Overhead", "Router", "llama.cpp". */
  section: string;
  /** What was measured, e.g. "pyramid vs bare LangGraph graph (µs/query)". */
  name: string;
  /** Median of the measured quantity over the repeats, with its unit. */
  value: number;
  /** Median of the baseline quantity, same unit. */
  baseline: number;
  /** Unit of `value` and `baseline`, e.g. "µs/query", "predictions/s", "tokens/s". */
  unit: string;
  /** `value / baseline`. */
  ratio: number;
  /** Spread of the ratio over the repeats: [min, max]. */
  spread: [number, number];
  /** Human-readable target, e.g. "<= 1.25x", or "" when there is none. */
  target: string;
  /** Whether the target is met (undefined when there is no target). */
  met?: boolean;
  /** Free text: what the baseline is, what bounds the figure. */
  note?: string;
}

/** A benchmark module: runs its measurements and returns its figures. */
export type BenchSuite = () => Promise<BenchFigure[]>;
