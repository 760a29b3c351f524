import type { BaseMessage } from "@langchain/core/messages";

/** One alternative token at a position, as in OpenAI's `top_logprobs`. */
export interface TopLogprob {
  /** The token's text. */
  token: string;
  /** Natural log of the token's probability, in (-inf, 0]. */
  logprob: number;
  /** UTF-8 bytes of the token's text, when known. */
  bytes?: number[] | null;
}

/**
 * One generated token with its log-probability, in the shape ChatOpenAI puts in
 * `response_metadata.logprobs.content` (OpenAI chat completions `choices[].logprobs.content[]`).
 */
export interface TokenLogprob extends TopLogprob {
  /** The most likely tokens at this position (empty when not requested). */
  top_logprobs: TopLogprob[];
}

/** The `response_metadata.logprobs` object: `{ content: TokenLogprob[] }`. */
export interface ChatLogprobs {
  /** One entry per generated token, in order. */
  content: TokenLogprob[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The per-token entries of `message.response_metadata.logprobs.content` (ChatOpenAI with `logprobs: true`,
 * `LlamaCppChatModel`), or `undefined` when the message carries none. Entries without a numeric `logprob`
 * are skipped.
 */
export function extractTokenLogprobEntries(message: BaseMessage): TokenLogprob[] | undefined {
  const metadata: unknown = message.response_metadata;
  if (!isRecord(metadata)) return undefined;
  const logprobs = metadata.logprobs;
  if (!isRecord(logprobs)) return undefined;
  const content = logprobs.content;
  if (!Array.isArray(content)) return undefined;
  const entries: TokenLogprob[] = [];
  for (const item of content as unknown[]) {
    if (!isRecord(item) || typeof item.logprob !== "number") continue;
    const top = Array.isArray(item.top_logprobs) ? (item.top_logprobs as unknown[]) : [];
    entries.push({
      token: typeof item.token === "string" ? item.token : "",
      logprob: item.logprob,
      bytes: Array.isArray(item.bytes) ? (item.bytes as number[]) : null,
      top_logprobs: top
        .filter((t): t is Record<string, unknown> => isRecord(t) && typeof t.logprob === "number")
        .map((t) => ({ token: typeof t.token === "string" ? t.token : "", logprob: t.logprob as number })),
    });
  }
  return entries;
}

/**
 * The log-probability of each generated token of a chat model's answer, read from
 * `response_metadata.logprobs.content` (works for ChatOpenAI with `logprobs: true` and for
 * `LlamaCppChatModel`). Returns `undefined` when the message carries no log-probabilities.
 */
export function extractTokenLogprobs(message: BaseMessage): number[] | undefined {
  const entries = extractTokenLogprobEntries(message);
  return entries === undefined ? undefined : entries.map((e) => e.logprob);
}
