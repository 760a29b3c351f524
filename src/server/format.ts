import { contentText } from "../cost/usage.js";
import { randomUUID } from "node:crypto";
import type { AIMessageChunk, ToolCall, UsageMetadata } from "@langchain/core/messages";
import type { PyramidMetadata } from "../graph/result.js";

/** OpenAI `usage` object. */
export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  /**
   * pyramid-moa extension: the routing trace, also here because OpenAI clients keep the whole `usage` object
   * (LangChain's `ChatOpenAI` copies it into `response_metadata.usage`, streamed or not), while they drop unknown
   * top-level fields such as `pyramid`.
   */
  pyramid?: PyramidMetadata;
}

/** An OpenAI tool call in a response message. */
export interface CompletionToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** A non-streamed chat completion, with the routing trace in the `pyramid` extension field. */
export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: [
    {
      index: 0;
      message: { role: "assistant"; content: string | null; refusal: null; tool_calls?: CompletionToolCall[] };
      logprobs: null;
      finish_reason: "stop" | "tool_calls";
    },
  ];
  usage: CompletionUsage;
  /** pyramid-moa extension: the routing trace (`response_metadata.pyramid`). */
  pyramid?: PyramidMetadata;
}

/** A new completion id (`chatcmpl-...`). */
export function completionId(): string {
  return `chatcmpl-${randomUUID().replace(/-/g, "")}`;
}

/** Seconds since the epoch, as OpenAI's `created`. */
export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** OpenAI usage from LangChain usage metadata (the sum over every member the pyramid called), with the trace. */
export function toUsage(usage: UsageMetadata | undefined, pyramid?: PyramidMetadata): CompletionUsage {
  const prompt = usage?.input_tokens ?? 0;
  const completion = usage?.output_tokens ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: usage?.total_tokens ?? prompt + completion,
    ...(pyramid ? { pyramid } : {}),
  };
}

/** OpenAI tool calls from LangChain tool calls (ids generated when a member gave none). */
export function toToolCalls(calls: readonly ToolCall[] | undefined): CompletionToolCall[] {
  return (calls ?? []).map((call) => ({
    id: call.id ?? `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`,
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
  }));
}

/** Builds the `chat.completion` object of an answer. */
export function toChatCompletion(message: AIMessageChunk, model: string, id = completionId()): ChatCompletion {
  const toolCalls = toToolCalls(message.tool_calls);
  const text = contentText(message.content);
  const pyramid = message.response_metadata?.pyramid as PyramidMetadata | undefined;
  return {
    id,
    object: "chat.completion",
    created: nowSeconds(),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: text.length === 0 && toolCalls.length > 0 ? null : text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
      },
    ],
    usage: toUsage(message.usage_metadata, pyramid),
    ...(pyramid ? { pyramid } : {}),
  };
}

/** One streamed tool-call delta in OpenAI's chunk format. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: "function";
  function: { name?: string; arguments: string };
}

/** The fields shared by every chunk of one streamed completion. */
export interface ChunkHeader {
  id: string;
  created: number;
  model: string;
}

/** A `chat.completion.chunk` with one choice. */
export function chunk(
  header: ChunkHeader,
  delta: Record<string, unknown>,
  finishReason: "stop" | "tool_calls" | null = null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: header.id,
    object: "chat.completion.chunk",
    created: header.created,
    model: header.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...extra,
  };
}

/** The usage chunk sent last when `stream_options.include_usage` is set (empty `choices`). */
export function usageChunk(header: ChunkHeader, usage: CompletionUsage): Record<string, unknown> {
  return {
    id: header.id,
    object: "chat.completion.chunk",
    created: header.created,
    model: header.model,
    choices: [],
    usage,
  };
}

/** Tool-call deltas from a LangChain chunk's tool-call chunks (`shown` maps each piece of arguments, e.g. redaction). */
export function toToolCallDeltas(
  message: AIMessageChunk,
  shown: (text: string) => string = (text) => text,
): ToolCallDelta[] {
  return (message.tool_call_chunks ?? []).map((call, position) => ({
    index: call.index ?? position,
    ...(call.id ? { id: call.id, type: "function" as const } : {}),
    function: { ...(call.name ? { name: call.name } : {}), arguments: shown(call.args ?? "") },
  }));
}
