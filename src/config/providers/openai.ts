import { ChatOpenAI } from "@langchain/openai";
import { PyramidConfigError } from "../../errors/index.js";
import type { MemberConfig } from "../schema.js";

/** Base URL of Ollama's OpenAI-compatible API on the local machine. */
export const OLLAMA_DEFAULT_BASE_URL = "http://127.0.0.1:11434/v1";

/** The API-key placeholder sent to endpoints that need none (vLLM, llama.cpp server, Ollama). */
export const NO_KEY_PLACEHOLDER = "not-needed";

type RemoteMember = Extract<MemberConfig, { provider: "openai" | "ollama" }>;

/**
 * The API key of a remote member: `process.env[apiKeyEnv]` when `apiKeyEnv` is set (a missing or empty
 * variable is an error naming it); `OPENAI_API_KEY` for the OpenAI API itself; a placeholder for
 * endpoints that need no key (a custom `baseURL`, Ollama).
 */
export function resolveApiKey(member: RemoteMember, field: string, env: NodeJS.ProcessEnv): string {
  const name = member.apiKeyEnv ?? (member.provider === "openai" && !member.baseURL ? "OPENAI_API_KEY" : undefined);
  if (!name) return NO_KEY_PLACEHOLDER;
  const value = env[name];
  if (value === undefined || value.length === 0) {
    throw new PyramidConfigError(`the environment variable ${name} (the API key of "${member.name ?? member.model}") is not set`, {
      field: `${field}.apiKeyEnv`,
      fix: `export ${name}=<your key> before running, or point apiKeyEnv at the variable that holds the key`,
    });
  }
  return value;
}

/**
 * A ChatOpenAI client for an `openai` or `ollama` member (Ollama through its OpenAI-compatible `/v1`, since
 * ChatOllama hides log-probabilities), with token log-probabilities requested, usage in streams, and no
 * client-side retries (the pyramid retries members itself, per `retries`).
 */
export function openAICompatibleModel(member: RemoteMember, field: string, env: NodeJS.ProcessEnv): ChatOpenAI {
  const baseURL = member.baseURL ?? (member.provider === "ollama" ? OLLAMA_DEFAULT_BASE_URL : undefined);
  return new ChatOpenAI({
    model: member.model,
    apiKey: resolveApiKey(member, field, env),
    configuration: baseURL ? { baseURL } : undefined,
    logprobs: true,
    topLogprobs: 5,
    streamUsage: true,
    useResponsesApi: false,
    maxRetries: 0,
    ...(member.temperature !== undefined ? { temperature: member.temperature } : {}),
    ...(member.maxTokens !== undefined ? { maxTokens: member.maxTokens } : {}),
    ...(member.timeoutMs !== undefined ? { timeout: member.timeoutMs } : {}),
    ...(member.seed !== undefined ? { modelKwargs: { seed: member.seed } } : {}),
  });
}
