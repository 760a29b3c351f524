import type { ToolCall } from "@langchain/core/messages/tool";
import type { ExtractedAnswer } from "./types.js";

/** JSON with object keys sorted at every depth, so that equal values have equal strings. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The voting key of a set of tool calls: the same tool names with the same arguments (canonical JSON,
 * order of calls kept) are the same answer; call ids are ignored.
 */
export function extractToolCallAnswer(toolCalls: readonly ToolCall[]): ExtractedAnswer | null {
  if (toolCalls.length === 0) return null;
  const key = `tool_calls:${canonicalJson(toolCalls.map((call) => ({ name: call.name, args: call.args })))}`;
  const display = toolCalls.map((call) => `${call.name}(${canonicalJson(call.args)})`).join("; ");
  return { key, display };
}
