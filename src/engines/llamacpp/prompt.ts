import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import type {
  ChatHistoryItem,
  ChatModelFunctionCall,
  ChatModelFunctions,
  ChatModelResponse,
  ChatWrapper,
  LlamaModel,
  Token,
} from "node-llama-cpp";
import type { LlamaCppTool } from "./tools/definitions.js";

/** A prompt rendered with the model's chat template. */
export interface RenderedPrompt {
  /** The prompt tokens to evaluate. */
  tokens: Token[];
  /** Plain-text stop triggers of the chat template (besides end-of-generation tokens). */
  textStops: string[];
  /** Multi-token stop triggers made of special tokens. */
  tokenStops: Token[][];
}

/** A tool result as the chat template shows it: parsed when it is JSON, else the text. */
function toolResult(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/**
 * Maps LangChain messages to node-llama-cpp chat history (system / user / model turns). An AI message's tool
 * calls become function calls of its model turn, with the result of the tool message answering each (by
 * `tool_call_id`), so the chat template renders them in the model's own format; an AI message that follows
 * tool results continues the same model turn. A tool message answering no known call becomes a user turn.
 * The history ends with the model turn to generate (the open turn when the last messages are tool results).
 */
export function toChatHistory(messages: readonly BaseMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  // The model turn whose tool calls were just made (continued by tool results and the next AI message).
  let open: ChatModelResponse | undefined;
  const calls = new Map<string, ChatModelFunctionCall>();
  for (const message of messages) {
    const type = message.getType();
    const text = message.text;
    if (type === "ai") {
      const toolCalls = AIMessage.isInstance(message) ? (message.tool_calls ?? []) : [];
      const turn: ChatModelResponse = open ?? { type: "model", response: [] };
      if (open === undefined) history.push(turn);
      if (text.length > 0) turn.response.push(text);
      for (const call of toolCalls) {
        const item: ChatModelFunctionCall = {
          type: "functionCall",
          name: call.name,
          params: call.args,
          result: undefined,
        };
        turn.response.push(item);
        if (call.id !== undefined) calls.set(call.id, item);
      }
      open = toolCalls.length > 0 ? turn : undefined;
      continue;
    }
    if (type === "tool" || type === "function") {
      const id = ToolMessage.isInstance(message) ? message.tool_call_id : undefined;
      const call = id === undefined ? undefined : calls.get(id);
      if (call !== undefined && open !== undefined) {
        call.result = toolResult(text);
        calls.delete(id!);
        continue;
      }
      history.push({ type: "user", text: `Tool result: ${text}` });
    } else if (type === "system" || type === "developer") history.push({ type: "system", text });
    else history.push({ type: "user", text });
    open = undefined;
  }
  const last = messages[messages.length - 1];
  const continuing =
    open !== undefined && last !== undefined && (last.getType() === "tool" || last.getType() === "function");
  if (!continuing) history.push({ type: "model", response: [] });
  return history;
}

/** JSON schema keywords node-llama-cpp's function documentation understands (`anyOf` is written as `oneOf`). */
function documentationSchema(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(documentationSchema);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) out[key === "anyOf" ? "oneOf" : key] = documentationSchema(value);
  return out;
}

/** The tools as node-llama-cpp function definitions, for the chat template to document them. */
export function toChatFunctions(tools: readonly LlamaCppTool[]): ChatModelFunctions {
  const functions: Record<string, ChatModelFunctions[string]> = {};
  for (const tool of tools) {
    functions[tool.name] = {
      ...(tool.description === undefined ? {} : { description: tool.description }),
      params: documentationSchema(tool.parameters) as ChatModelFunctions[string]["params"],
    };
  }
  return functions;
}

/**
 * Renders `messages` with `wrapper` (the model's chat template) and tokenizes the result. `tools` are documented
 * the way the template does it (its own tool section and call format).
 */
export function renderPrompt(
  model: LlamaModel,
  wrapper: ChatWrapper,
  messages: readonly BaseMessage[],
  tools: readonly LlamaCppTool[] = [],
): RenderedPrompt {
  const state = wrapper.generateContextState({
    chatHistory: toChatHistory(messages),
    ...(tools.length > 0 ? { availableFunctions: toChatFunctions(tools), documentFunctionParams: true } : {}),
  });
  const tokens = state.contextText.tokenize(model.tokenizer);
  const textStops: string[] = [];
  const tokenStops: Token[][] = [];
  for (const trigger of state.stopGenerationTriggers) {
    if (trigger.values.every((value) => typeof value === "string")) {
      const text = trigger.values.join("");
      if (text.length > 0) textStops.push(text);
      continue;
    }
    const triggerTokens = trigger.tokenize(model.tokenizer);
    if (triggerTokens.length === 1 && model.isEogToken(triggerTokens[0])) continue;
    if (triggerTokens.length > 0) tokenStops.push(triggerTokens);
  }
  return { tokens, textStops, tokenStops };
}
