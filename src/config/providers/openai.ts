import type { ChatOpenAI } from "@langchain/openai";
import { createOpenAICompatibleChatModel } from "../../engines/openai/index.js";
import { PyramidConfigError } from "../../errors/index.js";
import type { MemberConfig } from "../schema.js";

/** Base URL of Ollama's OpenAI-compatible API on the local machine. */
export const OLLAMA_DEFAULT_BASE_URL = "http://127.0.0.1:11434/v1";

/** Base URL of the OpenAI API, used by `openai` members that give no `baseURL`. */
export const OPENAI_DEFAULT_BASE_URL = "https://api.openai.com/v1";

type RemoteMember = Extract<MemberConfig, { provider: "openai" | "ollama" }>;

/**
 * The name of the environment variable holding a remote member's API key: `apiKeyEnv` when set;
 * `OPENAI_API_KEY` for the OpenAI API itself (an `openai` member without `baseURL`); none otherwise
 * (local endpoints such as Ollama, vLLM or a llama.cpp server need no key).
 *
 * @throws PyramidConfigError naming the config field when the variable is unset or empty.
 */
export function apiKeyEnvOf(member: RemoteMember, field: string): string | undefined {
  const name = member.apiKeyEnv ?? (member.provider === "openai" && !member.baseURL ? "OPENAI_API_KEY" : undefined);
  if (name === undefined) return undefined;
  const value = process.env[name];
  if (value === undefined || value.length === 0) {
    throw new PyramidConfigError(
      `the environment variable ${name} (the API key of "${member.name ?? member.model}") is not set`,
      {
        field: `${field}.apiKeyEnv`,
        fix: `export ${name}=<your key> before running, or point apiKeyEnv at the variable that holds the key`,
      },
    );
  }
  return name;
}

/**
 * A ChatOpenAI client for an `openai` or `ollama` member (Ollama through its OpenAI-compatible `/v1`, since
 * ChatOllama hides log-probabilities), built by the engines' `createOpenAICompatibleChatModel`: token
 * log-probabilities requested, usage in streams, and no client-side retries (the pyramid retries members
 * itself, per `retries`).
 */
export function openAICompatibleModel(member: RemoteMember, field: string): ChatOpenAI {
  const baseURL = member.baseURL ?? (member.provider === "ollama" ? OLLAMA_DEFAULT_BASE_URL : OPENAI_DEFAULT_BASE_URL);
  const apiKeyEnv = apiKeyEnvOf(member, field);
  return createOpenAICompatibleChatModel({
    baseURL,
    model: member.model,
    ...(apiKeyEnv ? { apiKeyEnv } : {}),
    logprobs: true,
    maxRetries: 0,
    ...(member.temperature !== undefined ? { temperature: member.temperature } : {}),
    ...(member.maxTokens !== undefined ? { maxTokens: member.maxTokens } : {}),
    ...(member.timeoutMs !== undefined ? { timeoutMs: member.timeoutMs } : {}),
    ...(member.seed !== undefined ? { seed: member.seed } : {}),
  });
}
