import type { BaseMessage } from "@langchain/core/messages";
import type { ChatHistoryItem, ChatWrapper, LlamaModel, Token } from "node-llama-cpp";

/** A prompt rendered with the model's chat template. */
export interface RenderedPrompt {
  /** The prompt tokens to evaluate. */
  tokens: Token[];
  /** Plain-text stop triggers of the chat template (besides end-of-generation tokens). */
  textStops: string[];
  /** Multi-token stop triggers made of special tokens. */
  tokenStops: Token[][];
}

/** Maps LangChain messages to node-llama-cpp chat history (system / user / model turns). */
export function toChatHistory(messages: readonly BaseMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  for (const message of messages) {
    const type = message.getType();
    const text = message.text;
    if (type === "system" || type === "developer") history.push({ type: "system", text });
    else if (type === "ai") history.push({ type: "model", response: [text] });
    else if (type === "tool" || type === "function") history.push({ type: "user", text: `Tool result: ${text}` });
    else history.push({ type: "user", text });
  }
  history.push({ type: "model", response: [] });
  return history;
}

/** Renders `messages` with `wrapper` (the model's chat template) and tokenizes the result. */
export function renderPrompt(model: LlamaModel, wrapper: ChatWrapper, messages: readonly BaseMessage[]): RenderedPrompt {
  const state = wrapper.generateContextState({ chatHistory: toChatHistory(messages) });
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
