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

/** The text content of a message (text parts of multi-part content joined). */
export function messageText(message: BaseMessage): string {
  const { content } = message;
  if (typeof content === "string") return content;
  return content
    .map((part) => (typeof part === "string" ? part : part.type === "text" && typeof part.text === "string" ? part.text : ""))
    .join("");
}

/**
 * Token usage of a call: the model's own `usage_metadata` when it reported it, otherwise the estimate from
 * the prompt and output text (marked `estimated`). Counts a model itself flags as estimated
 * (`response_metadata.tokenUsageEstimated`, as replayed recordings without token counts do) stay marked `estimated`.
 */
export function usageOf(prompt: readonly BaseMessage[], output: BaseMessage | undefined): TokenUsage {
  const reported = output && AIMessage.isInstance(output) ? output.usage_metadata : undefined;
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
