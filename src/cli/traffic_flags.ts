import { PyramidConfigError } from "../errors/index.js";
import type { TrafficOptions } from "../traces/options.js";
import type { CliOptions, CliValues } from "./options.js";

/**
 * The `pyramid-moa serve` flags of production traces and shadow sampling: parsed by `parseArgs` and listed by
 * `--help` from this one definition.
 */
export const TRAFFIC_FLAG_OPTIONS = {
  traces: {
    type: "string",
    value: "<file.jsonl>",
    help: "append one line per answered query (with --workers: one file per worker, <file>.w<n>.jsonl)",
  },
  "trace-content": { type: "boolean", help: "also record prompts and answers in the traces (secrets redacted)" },
  "trace-max-files": {
    type: "string",
    value: "<n>",
    help: "rotated trace files kept per file, older ones deleted (default 10; rotation at 64 MiB)",
  },
  "shadow-rate": {
    type: "string",
    value: "<r>",
    help: "send this fraction of the kept queries to the apex after answering (needs --traces)",
  },
  "shadow-seed": { type: "string", value: "<n>", help: "seed of the shadow draws (default 1)" },
} as const satisfies CliOptions;

/** The parsed traffic flags, typed from {@link TRAFFIC_FLAG_OPTIONS}. */
export type TrafficFlags = CliValues<typeof TRAFFIC_FLAG_OPTIONS>;

/**
 * The pyramid's traffic options from the flags; `worker` names this process's trace file in a cluster.
 *
 * @throws PyramidConfigError naming the flag.
 */
export function trafficOptionsFromFlags(flags: TrafficFlags, worker?: string): TrafficOptions {
  const rateText = flags["shadow-rate"];
  const rate = rateText === undefined ? undefined : Number(rateText);
  if (rate !== undefined && (rateText?.trim() === "" || !(rate >= 0 && rate <= 1))) {
    throw new PyramidConfigError(`expected a fraction from 0 to 1, got "${rateText}"`, {
      field: "--shadow-rate",
      fix: "e.g. --shadow-rate 0.2",
    });
  }
  const seedText = flags["shadow-seed"];
  const seed = seedText === undefined ? undefined : Number(seedText);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0)) {
    throw new PyramidConfigError(`expected a whole number >= 0, got "${seedText}"`, {
      field: "--shadow-seed",
      fix: "e.g. --shadow-seed 7",
    });
  }
  const keepText = flags["trace-max-files"];
  const maxFiles = keepText === undefined ? undefined : Number(keepText);
  if (maxFiles !== undefined && !(keepText?.trim() !== "" && Number.isInteger(maxFiles) && maxFiles >= 0)) {
    throw new PyramidConfigError(`expected a whole number >= 0, got "${keepText}"`, {
      field: "--trace-max-files",
      fix: "e.g. --trace-max-files 20",
    });
  }
  if (rate !== undefined && rate > 0 && flags.traces === undefined) {
    throw new PyramidConfigError("needs --traces: the shadow calls' results are written to the trace file", {
      field: "--shadow-rate",
      fix: "add --traces traffic.jsonl",
    });
  }
  if (flags.traces === undefined) return {};
  return {
    traces: {
      path: flags.traces,
      content: flags["trace-content"] ?? false,
      ...(maxFiles !== undefined ? { maxFiles } : {}),
      ...(worker ? { worker } : {}),
    },
    ...(rate !== undefined ? { shadow: { rate, ...(seed !== undefined ? { seed } : {}) } } : {}),
  };
}
