import { z } from "zod";
import { defaultPriceFor, USD_PER_MTOK_PER_BILLION_PARAMS } from "../../cost/price.js";
import { validate } from "../../errors/validate.js";
import { readTextFile } from "../../utils/read_text.js";
import { PyramidConfigError } from "../../errors/index.js";

/** How fast one model answers: time to the first token, then tokens per second. */
export interface ModelSpeed {
  /** Milliseconds from the request to the first output token. */
  readonly ttftMs: number;
  /** Output tokens per second once streaming. */
  readonly tokensPerSecond: number;
}

const speedSchema = z
  .object({
    ttftMs: z.number().nonnegative("must be a number >= 0 (milliseconds to the first token)"),
    tokensPerSecond: z.number().positive("must be a number > 0 (output tokens per second)"),
  })
  .strict();

/**
 * zod schema of a latency model file (`eval --latency-model <json>`): `models` by name, `default` for every model
 * not listed (without it, the parameter-count default of {@link defaultSpeedFor}).
 */
export const latencyModelSchema = z
  .object({
    default: speedSchema.optional(),
    models: z.record(z.string(), speedSchema).optional(),
  })
  .strict();

/** A latency model; see {@link latencyModelSchema}. */
export type LatencyModelSpec = z.infer<typeof latencyModelSchema>;

/** Models of at most this many billion parameters count as small in {@link defaultSpeedFor}. */
export const SMALL_MODEL_BILLIONS = 20;
/** The default speed of a small model (<= 20B parameters, or no count in its name): 150 ms + 150 tokens/s. */
export const SMALL_MODEL_SPEED: ModelSpeed = { ttftMs: 150, tokensPerSecond: 150 };
/** The default speed of a larger model: 300 ms + 45 tokens/s (a 70B at typical serving speed). */
export const LARGE_MODEL_SPEED: ModelSpeed = { ttftMs: 300, tokensPerSecond: 45 };

/** The default speed of a model by the parameter count in its name (see {@link SMALL_MODEL_BILLIONS}). */
export function defaultSpeedFor(model: string): ModelSpeed {
  const price = defaultPriceFor(model);
  const billions = price ? price.input / USD_PER_MTOK_PER_BILLION_PARAMS : 0;
  return billions > SMALL_MODEL_BILLIONS + 1e-9 ? LARGE_MODEL_SPEED : SMALL_MODEL_SPEED;
}

/**
 * Per-model answer times for replaying recordings: a call of `model` producing `outputTokens` tokens takes
 * `ttftMs + 1000 * outputTokens / tokensPerSecond` milliseconds, and has streamed
 * `(t - ttftMs) * tokensPerSecond / 1000` tokens (at most all of them) `t` ms after it started.
 */
export class LatencyModel {
  /** The model's spec (`{}`: every model at its parameter-count default). */
  readonly spec: LatencyModelSpec;

  /** A latency model from its spec (validated). */
  constructor(spec: LatencyModelSpec = {}) {
    this.spec = validate(latencyModelSchema, spec, {
      field: "latencyModel",
      fix: 'give { "default"?: { "ttftMs": 150, "tokensPerSecond": 150 }, "models"?: { "<name>": {...} } }',
    });
  }

  /** Reads a latency model file (JSON, see {@link latencyModelSchema}). */
  static fromFile(path: string): LatencyModel {
    const text = readTextFile(path, { error: PyramidConfigError, what: "latency model", fix: "check the path" });
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch (cause) {
      throw new PyramidConfigError(`${path} is not valid JSON`, {
        field: "--latency-model",
        fix: 'write e.g. { "models": { "Meta-Llama-3.1-70B-Instruct": { "ttftMs": 300, "tokensPerSecond": 45 } } }',
        cause,
      });
    }
    return new LatencyModel(
      validate(latencyModelSchema, json, {
        field: (path) => `--latency-model ${path || "(root)"}`,
        fix: 'each speed is { "ttftMs": <ms >= 0>, "tokensPerSecond": <> 0> }, under "default" or "models"',
      }),
    );
  }

  /** The speed of `model`: its own entry, else `default`, else {@link defaultSpeedFor}. */
  speedOf(model: string): ModelSpeed {
    return this.spec.models?.[model] ?? this.spec.default ?? defaultSpeedFor(model);
  }

  /** Milliseconds a call of `model` producing `outputTokens` tokens takes. */
  callMs(model: string, outputTokens: number): number {
    const speed = this.speedOf(model);
    return speed.ttftMs + (1000 * outputTokens) / speed.tokensPerSecond;
  }

  /** Output tokens `model` has streamed `elapsedMs` after its call started (at most `outputTokens`). */
  streamedTokens(model: string, outputTokens: number, elapsedMs: number): number {
    const speed = this.speedOf(model);
    const streamed = ((elapsedMs - speed.ttftMs) * speed.tokensPerSecond) / 1000;
    return Math.min(outputTokens, Math.max(0, Math.floor(streamed)));
  }
}
