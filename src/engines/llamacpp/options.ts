import { availableParallelism } from "node:os";
import { z } from "zod";

/** Sampling and output options shared by `LlamaCppChatModel` fields and per-call overrides. */
export const llamaCppSamplingSchema = z.object({
  /** Sampling temperature; 0 means greedy decoding (the default). */
  temperature: z.number().min(0).max(5).optional(),
  /** Keep only the `topK` most likely tokens before sampling; 0 disables the cut. */
  topK: z.number().int().min(0).optional(),
  /** Nucleus sampling: keep the smallest set of tokens whose probability reaches `topP`; 1 disables it. */
  topP: z.number().gt(0).max(1).optional(),
  /** Maximum number of tokens to generate. */
  maxTokens: z.number().int().min(1).optional(),
  /** Seed of the sampler, for reproducible sampling at temperature > 0. */
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** Stop sequences: generation ends before the first occurrence of any of them. */
  stop: z.array(z.string().min(1)).optional(),
});

/** Options of `LlamaCppChatModel`, validated at construction. */
export const llamaCppChatModelSchema = llamaCppSamplingSchema.extend({
  /** A GGUF file path, or a model URI (`hf:user/repo:quant`, `https://...gguf`) downloaded into `cacheDir`. */
  modelPath: z.string().min(1, "modelPath must be a GGUF file path or an hf: URI"),
  /** Folder where model URIs are downloaded to and resolved from (default: node-llama-cpp's `~/.node-llama-cpp/models`). */
  cacheDir: z.string().min(1).optional(),
  /**
   * Milliseconds a model URI's server has to answer before the download is given up (default 30 000); the
   * download itself is not limited. Ignored for a local file or an `hf:` model already in `cacheDir`.
   */
  downloadTimeoutMs: z.number().int().positive().optional(),
  /** Tokens per context sequence (prompt + answer). Default 2048. */
  contextSize: z.number().int().min(32).max(1_048_576).optional(),
  /** Sequences of the shared context: how many calls on this model can generate at the same time. Default 4. */
  parallel: z.number().int().min(1).max(64).optional(),
  /**
   * CPU threads of the shared context. Default {@link defaultLlamaCppContextThreads}: min(2, half the available cores),
   * at least 1, so the model answers on a busy machine (llama.cpp's thread barrier spins and collapses when its
   * threads outnumber the free cores; with every core, a busy 2-core machine gave no answer in 120 s). Raise it on a
   * machine kept for the model; 0 lets node-llama-cpp choose (all math cores).
   */
  threads: z.number().int().min(0).max(256).optional(),
  /** Whether to compute per-token log-probabilities (default true). */
  logprobs: z.boolean().optional(),
  /**
   * How many alternatives to report per token in `top_logprobs` (0-20, default 0 like OpenAI's default).
   * Greedy calls with 0 use llama.cpp's cheapest probability path.
   */
  topLogprobs: z.number().int().min(0).max(20).optional(),
  /** Model name reported in `ls_model_name` and `response_metadata.model_name` (default: the file name). */
  modelName: z.string().min(1).optional(),
  /** Number of model layers to offload to a GPU (`"auto"`, `"max"` or a count). Default `"auto"`. */
  gpuLayers: z.union([z.literal("auto"), z.literal("max"), z.number().int().min(0)]).optional(),
});

/** Per-call sampling options accepted by `LlamaCppChatModel` calls (`model.invoke(msgs, { maxTokens: 8 })`). */
export type LlamaCppSamplingOptions = z.input<typeof llamaCppSamplingSchema>;

/** Validated `LlamaCppChatModel` options (without the `engine` instance). */
export type LlamaCppChatModelParsedOptions = z.output<typeof llamaCppChatModelSchema>;

/** Default values of the sampling options. */
/**
 * The default `threads` of a llama.cpp member: `min(2, floor(cores / 2))`, at least 1, with `cores` from
 * `os.availableParallelism()` (1 on 2 cores, 2 on 4 or more).
 */
export function defaultLlamaCppContextThreads(cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(2, Math.floor(cores / 2)));
}

export const LLAMACPP_DEFAULTS = {
  temperature: 0,
  topK: 40,
  topP: 0.95,
  maxTokens: 256,
  contextSize: 2048,
  parallel: 4,
  logprobs: true,
  topLogprobs: 0,
} as const;
