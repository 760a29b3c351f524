import { AIMessage } from "@langchain/core/messages";
import type { AIMessageChunk } from "@langchain/core/messages";
import type { InvalidToolCall, ToolCall } from "@langchain/core/messages/tool";

/**
 * The message of a streamed member call, with its tool calls judged as a whole: LangChain parses streamed tool-call
 * arguments leniently (a call cut off by `maxTokens` after `{"a": 1, "b` reads as `{ a: 1 }`), so each call's joined
 * arguments are parsed strictly here, and a call whose arguments are not a complete JSON object becomes an
 * `invalid_tool_calls` entry, as in a non-streamed response.
 */
export function withStrictToolCalls(merged: AIMessageChunk): AIMessage {
  const pieces = merged.tool_call_chunks ?? [];
  if (pieces.length === 0) return merged;
  const toolCalls: ToolCall[] = [];
  const invalid: InvalidToolCall[] = [];
  for (const piece of pieces) {
    let args: unknown;
    try {
      args = JSON.parse(piece.args === undefined || piece.args === "" ? "{}" : piece.args);
    } catch {
      args = undefined;
    }
    if (typeof args === "object" && args !== null && !Array.isArray(args)) {
      toolCalls.push({
        name: piece.name ?? "",
        args: args as Record<string, unknown>,
        id: piece.id,
        type: "tool_call",
      });
    } else {
      invalid.push({
        name: piece.name,
        args: piece.args,
        id: piece.id,
        error: "arguments are not a complete JSON object",
        type: "invalid_tool_call",
      });
    }
  }
  return new AIMessage({
    content: merged.content,
    id: merged.id,
    tool_calls: toolCalls,
    invalid_tool_calls: invalid,
    additional_kwargs: merged.additional_kwargs,
    response_metadata: merged.response_metadata,
    usage_metadata: merged.usage_metadata,
  });
}
