import { z } from "zod";

/** Options of `createOpenAICompatibleChatModel`, validated at the boundary. */
export const openAICompatibleSchema = z.object({
  /** Base URL of the OpenAI-compatible API, e.g. `http://localhost:11434/v1` (Ollama) or `https://api.openai.com/v1`. */
  baseURL: z.url({ protocol: /^https?$/, message: "baseURL must be an http(s) URL such as http://localhost:8000/v1" }),
  /** Model name sent in requests. */
  model: z.string().min(1, "model must name the served model"),
  /**
   * Name of the environment variable holding the API key (e.g. `OPENAI_API_KEY`). The key itself is never
   * part of the options, logs or errors. When omitted no key is sent (local servers).
   */
  apiKeyEnv: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]*$/,
      "apiKeyEnv must be an environment variable NAME such as OPENAI_API_KEY, not the key",
    )
    .optional(),
  /** Sampling temperature. */
  temperature: z.number().min(0).max(2).optional(),
  /** Maximum tokens of the answer. */
  maxTokens: z.number().int().min(1).optional(),
  /** Top-p sampling. */
  topP: z.number().gt(0).max(1).optional(),
  /** Stop sequences. */
  stop: z.array(z.string().min(1)).optional(),
  /** Request per-token log-probabilities (default true). */
  logprobs: z.boolean().optional(),
  /** Alternatives per token (0-20, default 5; needs `logprobs`). */
  topLogprobs: z.number().int().min(0).max(20).optional(),
  /** Time limit per request in milliseconds (default 60000). */
  timeoutMs: z.number().int().min(1).optional(),
  /** Retries on 429, 5xx and connection errors (default 2). */
  maxRetries: z.number().int().min(0).max(10).optional(),
  /** Seed, for servers that support it. */
  seed: z.number().int().optional(),
  /** Extra HTTP headers sent with every request. */
  headers: z.record(z.string(), z.string()).optional(),
});

/** Input of `createOpenAICompatibleChatModel`. */
export type OpenAICompatibleOptions = z.input<typeof openAICompatibleSchema>;
