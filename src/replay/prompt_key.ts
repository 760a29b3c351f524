/**
 * The replay key of a prompt: the model name and the exact text of every message, in order.
 * Roles are not part of the key (recorded files store user turns; LangChain names them `human`).
 */
export function promptKey(model: string, contents: readonly string[]): string {
  return JSON.stringify([model, ...contents]);
}

/** The start of a prompt (its last message), for error messages. */
export function promptPreview(contents: readonly string[], length = 120): string {
  const last = (contents[contents.length - 1] ?? "").replace(/\s+/g, " ").trim();
  return last.length > length ? `${last.slice(0, length)}...` : last;
}
