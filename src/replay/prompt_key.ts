import type { BaseMessage } from "@langchain/core/messages";

/**
 * The plain text of a message's content: strings as they are, and the text parts of a multi-part
 * content joined with no separator (non-text parts are ignored).
 */
export function messageText(message: BaseMessage): string {
  const content: unknown = message.content;
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

/**
 * The replay key of a prompt: the model name and the text of every message, in order, with leading and trailing
 * whitespace removed (so `ask "$(cat q.txt)"`, whose shell drops the final newline, finds the recorded prompt).
 * Roles are not part of the key (recorded files store user turns; LangChain names them `human`).
 */
export function promptKey(model: string, contents: readonly string[]): string {
  return JSON.stringify([model, ...contents.map((content) => content.trim())]);
}

/** The start of a prompt (its last message), for error messages. */
export function promptPreview(contents: readonly string[], length = 120): string {
  const last = (contents[contents.length - 1] ?? "").replace(/\s+/g, " ").trim();
  return last.length > length ? `${last.slice(0, length)}...` : last;
}
