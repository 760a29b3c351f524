import type { BaseMessage } from "@langchain/core/messages";

/**
 * Per-token log-probabilities of a model output, read from `response_metadata.logprobs.content` (the shape
 * ChatOpenAI returns for `logprobs: true`, and the shape this library's engines return); `undefined` when
 * the model returned none.
 */
export function tokenLogprobs(message: BaseMessage): number[] | undefined {
  const logprobs = (message.response_metadata as Record<string, unknown> | undefined)?.logprobs;
  const content = (logprobs as { content?: unknown } | undefined)?.content;
  if (!Array.isArray(content) || content.length === 0) return undefined;
  const values: number[] = [];
  for (const entry of content) {
    const logprob = (entry as { logprob?: unknown } | null)?.logprob;
    if (typeof logprob === "number" && Number.isFinite(logprob)) values.push(Math.min(0, logprob));
  }
  return values.length > 0 ? values : undefined;
}
