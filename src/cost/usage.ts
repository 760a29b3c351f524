import type { BaseMessage } from "@langchain/core/messages";
import { AIMessage } from "@langchain/core/messages";
import type { Price } from "./price.js";

/** Token counts of one model call. */
export interface TokenUsage {
  /** Input (prompt) tokens. */
  readonly input: number;
  /** Output (completion) tokens. */
  readonly output: number;
  /** True when the model reported no counts and they were estimated with {@link estimateTokens}. */
  readonly estimated: boolean;
}

/** Characters per token assumed by {@link estimateTokens}. */
export const CHARS_PER_TOKEN = 4;

/**
 * The documented token estimate used where a model reports no usage: one token per 4 characters,
 * rounded up (a common rule of thumb for English text with BPE tokenizers).
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * The plain text of a message's content: strings as they are, and the text parts of a multi-part content joined
 * with no separator (non-text parts are ignored). The one definition: cost estimates and replay keys both use it.
 */
export function messageText(message: BaseMessage): string {
  return contentText(message.content);
}

/** The plain text of a message content (see {@link messageText}). */
export function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((part: unknown) => {
      if (typeof part === "string") return part;
      if (part !== null && typeof part === "object" && "text" in part) {
        const text = (part as { text: unknown }).text;
        return typeof text === "string" ? text : "";
      }
      return "";
    })
    .join("");
}

/** Usage a provider reports in `response_metadata.usage` only (ChatGroq's streamed `x_groq.usage`). */
function metadataUsage(output: BaseMessage): { input_tokens: number; output_tokens: number } | undefined {
  const usage = (output.response_metadata as { usage?: Record<string, unknown> } | undefined)?.usage;
  const input = usage?.input_tokens;
  const out = usage?.output_tokens;
  return typeof input === "number" && typeof out === "number" ? { input_tokens: input, output_tokens: out } : undefined;
}

/**
 * Token usage of a call: the model's own `usage_metadata` when it reported it (or
 * `response_metadata.usage` with token counts, where ChatGroq's stream puts them), otherwise the estimate from
 * the prompt and output text (marked `estimated`). Counts a model itself flags as estimated
 * (`response_metadata.tokenUsageEstimated`, as replayed recordings without token counts do) stay marked `estimated`.
 */
export function usageOf(prompt: readonly BaseMessage[], output: BaseMessage | undefined): TokenUsage {
  const reported =
    output && AIMessage.isInstance(output) ? (output.usage_metadata ?? metadataUsage(output)) : undefined;
  if (reported && (reported.input_tokens > 0 || reported.output_tokens > 0)) {
    const flagged = (output?.response_metadata as Record<string, unknown> | undefined)?.tokenUsageEstimated === true;
    return { input: reported.input_tokens, output: reported.output_tokens, estimated: flagged };
  }
  const promptChars = prompt.reduce((sum, message) => sum + messageText(message).length, 0);
  return {
    input: Math.ceil(promptChars / CHARS_PER_TOKEN),
    output: output ? estimateTokens(messageText(output)) : 0,
    estimated: true,
  };
}

/**
 * The USD cost of a call: the provider's reported cost when the message carries one
 * (`response_metadata.cost_usd`, e.g. from recorded outputs), otherwise tokens x price; 0 without a price.
 */
export function costOf(usage: TokenUsage, price: Price | undefined, output?: BaseMessage): number {
  const reported = (output?.response_metadata as Record<string, unknown> | undefined)?.cost_usd;
  if (typeof reported === "number" && Number.isFinite(reported)) return reported;
  if (!price) return 0;
  return (usage.input * price.input + usage.output * price.output) / 1_000_000;
}
