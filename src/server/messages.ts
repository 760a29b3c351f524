import { AIMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { HttpError } from "./errors.js";
import type { ChatCompletionRequestMessage } from "./schema.js";

type Content = Exclude<Extract<ChatCompletionRequestMessage, { role: "user" }>["content"], undefined>;

function text(content: Content | null | undefined): string {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  return content.map((part) => (typeof part.text === "string" ? part.text : "")).join("");
}

function parseArguments(raw: string, param: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch {
    throw new HttpError(400, "tool call arguments are not valid JSON", { param });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(400, "tool call arguments must be a JSON object", { param });
  }
  return value as Record<string, unknown>;
}

/** Converts OpenAI chat messages into LangChain messages (`developer` becomes a system message). */
export function toLangChainMessages(messages: readonly ChatCompletionRequestMessage[]): BaseMessage[] {
  return messages.map((message, i) => {
    switch (message.role) {
      case "system":
      case "developer":
        return new SystemMessage(text(message.content));
      case "user":
        return new HumanMessage({ content: text(message.content), ...(message.name ? { name: message.name } : {}) });
      case "assistant":
        return new AIMessage({
          content: text(message.content),
          tool_calls: (message.tool_calls ?? []).map((call, j) => ({
            id: call.id,
            name: call.function.name,
            args: parseArguments(call.function.arguments, `messages[${i}].tool_calls[${j}].function.arguments`),
            type: "tool_call" as const,
          })),
        });
      default: // "tool"
        return new ToolMessage({ content: text(message.content), tool_call_id: message.tool_call_id });
    }
  });
}
