import { z } from "zod";
import { configError } from "../graph/options.js";

/** Where and how to write production traces: a file path, or these settings. */
export type TracesOption =
  | string
  | {
      /** The JSONL file. */
      readonly path: string;
      /** Also record the prompt and the answer text (secrets redacted). Default false. */
      readonly content?: boolean;
      /** Rotate the file past this many bytes (default 64 MiB). */
      readonly maxBytes?: number;
      /** Rotated files kept (older ones are deleted at each rotation; default 10). */
      readonly maxFiles?: number;
      /** This process's name among several writing the same traces (one file per worker). */
      readonly worker?: string;
    };

/** Shadow sampling: a fraction of the kept queries also goes to the apex, in the background. */
export interface ShadowOption {
  /** Probability that a query the pyramid did not escalate to the apex is sent there after the answer. */
  readonly rate: number;
  /** Seed of the draws (default 1). */
  readonly seed?: number;
  /** Shadow calls at once (default 2). */
  readonly maxConcurrency?: number;
  /** Shadow calls waiting for a slot beyond which new draws are skipped (default 64). */
  readonly maxQueued?: number;
}

/** The traffic options of a pyramid: production traces and shadow sampling. */
export interface TrafficOptions {
  /** Append one line per answered query to this file (see `src/traces/schema.ts`). */
  readonly traces?: TracesOption;
  /** Send a random fraction of the kept queries to the apex in the background (needs `traces`). */
  readonly shadow?: ShadowOption;
}

const trafficSchema = z.object({
  traces: z
    .union([
      z.string().min(1),
      z
        .object({
          path: z.string().min(1),
          content: z.boolean().optional(),
          maxBytes: z.number().int().positive().optional(),
          maxFiles: z.number().int().nonnegative().optional(),
          worker: z
            .string()
            .regex(/^[A-Za-z0-9_-]+$/, "must be letters, digits, _ or -")
            .optional(),
        })
        .strict(),
    ])
    .optional(),
  shadow: z
    .object({
      rate: z.number().min(0).max(1),
      seed: z.number().int().nonnegative().optional(),
      maxConcurrency: z.number().int().positive().optional(),
      maxQueued: z.number().int().nonnegative().optional(),
    })
    .strict()
    .optional(),
});

/** {@link TrafficOptions} checked, with defaults. */
export interface ResolvedTrafficOptions {
  readonly traces?: {
    readonly path: string;
    readonly content: boolean;
    readonly maxBytes?: number;
    readonly maxFiles?: number;
    readonly worker?: string;
  };
  readonly shadow?: {
    readonly rate: number;
    readonly seed: number;
    readonly maxConcurrency: number;
    readonly maxQueued: number;
  };
}

/** Validates the traffic options; errors name the field (`traces.path`, `shadow.rate`, ...). */
export function resolveTrafficOptions(input: TrafficOptions): ResolvedTrafficOptions {
  const parsed = trafficSchema.safeParse({ traces: input.traces, shadow: input.shadow });
  if (!parsed.success) throw configError(parsed.error);
  const { traces, shadow } = parsed.data;
  if (shadow && shadow.rate > 0 && !traces) {
    throw configError(
      new z.ZodError([
        {
          code: "custom",
          path: ["shadow"],
          message: "needs traces: the shadow calls' results are recorded in the trace file",
          input: shadow,
        },
      ]),
    );
  }
  return {
    ...(traces !== undefined
      ? {
          traces:
            typeof traces === "string"
              ? { path: traces, content: false }
              : { ...traces, content: traces.content ?? false },
        }
      : {}),
    ...(shadow
      ? {
          shadow: {
            rate: shadow.rate,
            seed: shadow.seed ?? 1,
            maxConcurrency: shadow.maxConcurrency ?? 2,
            maxQueued: shadow.maxQueued ?? 64,
          },
        }
      : {}),
  };
}
