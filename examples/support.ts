/**
 * Shared plumbing of the examples: "was this file run directly?", the real-endpoint settings read from the
 * environment, and the path of the recorded GSM8K outputs. Nothing here is pyramid logic.
 *
 * Real endpoints (any OpenAI-compatible server: OpenAI, vLLM, llama.cpp server, Ollama, LiteLLM, ...):
 * - `PYRAMID_OPENAI_BASE_URL`  base URL of the endpoint, e.g. `http://127.0.0.1:8000/v1` (required to go online)
 * - `PYRAMID_OPENAI_API_KEY`   its API key (unset: no key is sent, for local servers)
 * - `PYRAMID_CROWD_MODELS`     comma-separated crowd model names, e.g. `llama-3.1-8b,gemma-2-9b,qwen2-7b`
 * - `PYRAMID_MIDDLE_MODELS`    comma-separated middle-tier model names (deep_pyramid.ts only)
 * - `PYRAMID_ORACLE_MODEL`     the apex / Oracle model name, e.g. `llama-3.1-70b`
 */
import { pathToFileURL } from "node:url";
import { join } from "node:path";
import { z } from "zod";
import type { ChatOpenAI } from "@langchain/openai";
import { PyramidConfigError } from "../src/index.js";
import { dataDir } from "../src/eval/index.js";
import { createOpenAICompatibleChatModel } from "../src/engines/openai/index.js";
import { parseOptions } from "../src/errors/validate.js";

/** True when the module whose `import.meta.url` is given is the script Node was started with. */
export function isDirectRun(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === moduleUrl;
}

/** zod schema of {@link RealEndpoint}. */
export const realEndpointSchema = z
  .object({
    baseURL: z.url({ protocol: /^https?$/, message: "must be an http(s) URL such as http://127.0.0.1:8000/v1" }),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must name an environment variable")
      .optional(),
    crowd: z.array(z.string().min(1)).min(1, "needs at least one crowd model"),
    middle: z.array(z.string().min(1)),
    oracle: z.string().min(1),
  })
  .strict();

/**
 * A real OpenAI-compatible endpoint and the models to use on it: `baseURL`, `apiKeyEnv` (the NAME of the
 * environment variable holding the key, never the key), `crowd`, `middle` (may be empty) and `oracle`.
 */
export type RealEndpoint = z.infer<typeof realEndpointSchema>;

/** Validates options given to an example's `main()`; errors name the field (`<example>.<field>`). */
export function parseExampleOptions<S extends z.ZodType>(schema: S, input: unknown, example: string): z.output<S> {
  return parseOptions(schema, input ?? {}, example);
}

function names(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
}

/**
 * The real endpoint configured by the environment, or `undefined` when `PYRAMID_OPENAI_BASE_URL` is unset
 * (the examples then run offline). Throws `PyramidConfigError` when the URL is set but the models are not.
 */
export function realEndpointFromEnv(env: NodeJS.ProcessEnv = process.env): RealEndpoint | undefined {
  const baseURL = env.PYRAMID_OPENAI_BASE_URL?.trim();
  if (!baseURL) return undefined;
  const crowd = names(env.PYRAMID_CROWD_MODELS);
  const oracle = env.PYRAMID_ORACLE_MODEL?.trim();
  if (crowd.length === 0) {
    throw new PyramidConfigError("is empty while PYRAMID_OPENAI_BASE_URL is set", {
      field: "PYRAMID_CROWD_MODELS",
      fix: "set PYRAMID_CROWD_MODELS to comma-separated model names, e.g. llama-3.1-8b,gemma-2-9b,qwen2-7b",
    });
  }
  if (!oracle) {
    throw new PyramidConfigError("is empty while PYRAMID_OPENAI_BASE_URL is set", {
      field: "PYRAMID_ORACLE_MODEL",
      fix: "set PYRAMID_ORACLE_MODEL to the apex model's name, e.g. llama-3.1-70b",
    });
  }
  return parseOptions(
    realEndpointSchema,
    {
      baseURL,
      apiKeyEnv: env.PYRAMID_OPENAI_API_KEY?.trim() ? "PYRAMID_OPENAI_API_KEY" : undefined,
      crowd,
      middle: names(env.PYRAMID_MIDDLE_MODELS),
      oracle,
    },
    "PYRAMID_OPENAI",
  );
}

/**
 * A ChatOpenAI client for `model` on the endpoint (the library's `createOpenAICompatibleChatModel`):
 * temperature 0 and `logprobs: true`, so the router gets token log-probabilities when the server returns them.
 */
export function openAIModel(endpoint: RealEndpoint, model: string): ChatOpenAI {
  return createOpenAICompatibleChatModel({
    baseURL: endpoint.baseURL,
    model,
    apiKeyEnv: endpoint.apiKeyEnv,
    temperature: 0,
    logprobs: true,
  });
}

/** The endpoint an example uses: the one given, none when `offline`, else the environment's (or none). */
export function chooseEndpoint(options: {
  readonly offline?: boolean;
  readonly endpoint?: RealEndpoint;
}): RealEndpoint | undefined {
  if (options.endpoint) return options.endpoint;
  return options.offline ? undefined : realEndpointFromEnv();
}

/** `dataDir()/recorded/gsm8k.jsonl`: the recorded real outputs of ten LLMs on GSM8K (see the data README). */
export function recordedGsm8kPath(): string {
  return join(dataDir(), "recorded", "gsm8k.jsonl");
}

/** The value of a `--name value` or `--name=value` command-line flag, or `undefined`. */
export function flagValue(argv: readonly string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === `--${name}`) return argv[i + 1];
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/** Parses a positive integer setting (flag or environment variable); `fallback` when absent. */
export function positiveInt(value: string | undefined, field: string, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) {
    throw new PyramidConfigError(`must be a positive integer, got "${value}"`, { field, fix: `e.g. ${field}=200` });
  }
  return parsed;
}
