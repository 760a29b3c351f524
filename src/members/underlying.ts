import { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { ChatRunnable } from "./member.js";
import { isChatRunnable } from "./member.js";

/** The chat model under any `bind`/`withConfig`/`bindTools` bindings, or undefined when it is not a chat model. */
export function underlyingChatModel(runnable: ChatRunnable): BaseChatModel | undefined {
  let current: unknown = runnable;
  for (let depth = 0; depth < 32; depth++) {
    if (current instanceof BaseChatModel) return current;
    const bound = (current as { bound?: unknown }).bound;
    if (!isChatRunnable(bound) || bound === current) return undefined;
    current = bound;
  }
  return undefined;
}
