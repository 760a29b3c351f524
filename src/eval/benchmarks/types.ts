import type { RecordedMessage } from "../../replay/schema.js";

/** Fields every benchmark item has. */
export interface BenchmarkItemBase {
  /** Stable id, e.g. `gsm8k/test/17` (the same ids as the recorded files). */
  id: string;
  /** Benchmark name. */
  benchmark: "gsm8k" | "math500" | "mmlu" | "mbpp" | "humaneval";
  /** The bare question / task text. */
  question: string;
  /** Chat messages to send, when the benchmark has a standard prompt (see each loader). */
  messages?: RecordedMessage[];
}

/** Options shared by the loaders: where the benchmark files are. */
export interface BenchmarkLoadOptions {
  /** Folder holding `gsm8k/`, `math500/`, ... (default `dataDir()/benchmarks`). */
  dir?: string;
  /** Exact file to read instead of the default one under `dir`. */
  file?: string;
}
