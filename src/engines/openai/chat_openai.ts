import { ChatOpenAI } from "@langchain/openai";
import { PyramidConfigError } from "../../errors/index.js";
import { parseOptions } from "../../errors/validate.js";
import { openAICompatibleSchema, type OpenAICompatibleOptions } from "./options.js";

/** Placeholder key sent when no `apiKeyEnv` is configured, so `OPENAI_API_KEY` never leaks to another server. */
const NO_KEY = "no-key";

/**
 * Builds a `ChatOpenAI` for any OpenAI-compatible chat completions endpoint (vLLM, Ollama's `/v1`,
 * llama.cpp server, Together, Groq, OpenAI) with per-token log-probabilities requested
 * (`logprobs: true`, `top_logprobs`), so answers carry `response_metadata.logprobs.content`
 * (read them with `extractTokenLogprobs`). The API key is read from the environment variable named by
 * `apiKeyEnv` at construction; it is never logged nor serialized (LangChain keeps it as a secret).
 *
 * Throws `PyramidConfigError` naming the field when an option is invalid or the key variable is unset.
 */
export function createOpenAICompatibleChatModel(options: OpenAICompatibleOptions): ChatOpenAI {
  const parsed = parseOptions(openAICompatibleSchema, options, "openai");
  let apiKey = NO_KEY;
  if (parsed.apiKeyEnv !== undefined) {
    const value = process.env[parsed.apiKeyEnv];
    if (value === undefined || value.length === 0) {
      throw new PyramidConfigError(`the environment variable ${parsed.apiKeyEnv} is not set`, {
        field: "openai.apiKeyEnv",
        fix: `Export ${parsed.apiKeyEnv}=<your key> before starting, or remove apiKeyEnv for a server without keys.`,
      });
    }
    apiKey = value;
  }
  const logprobs = parsed.logprobs ?? true;
  return new ChatOpenAI({
    model: parsed.model,
    apiKey,
    configuration: { baseURL: parsed.baseURL, ...(parsed.headers ? { defaultHeaders: parsed.headers } : {}) },
    temperature: parsed.temperature,
    maxTokens: parsed.maxTokens,
    topP: parsed.topP,
    stop: parsed.stop,
    logprobs,
    topLogprobs: logprobs ? (parsed.topLogprobs ?? 5) : undefined,
    timeout: parsed.timeoutMs ?? 60_000,
    maxRetries: parsed.maxRetries ?? 2,
    streamUsage: true,
    ...(parsed.seed !== undefined ? { modelKwargs: { seed: parsed.seed } } : {}),
  });
}
