import type { ChatWrapper, LlamaTextJSON } from "node-llama-cpp";

/** How the model writes a call of one tool: the text before the JSON arguments (after them, only the template's closing text follows). */
export interface CallSyntax {
  /** Tool name. */
  name: string;
  /** Text that opens a call of this tool, up to the arguments (`||call: get_weather(`, `<tool_call>\n{"name": "get_weather", "arguments": `). */
  before: string;
}

/** Arguments passed to the template to find where the real arguments go. */
export const PLACEHOLDER = "PYRAMID_TOOL_ARGUMENTS_PLACEHOLDER";

/**
 * The text before the arguments in a chat template's rendering of a function call whose arguments were the
 * placeholder string (JSON-encoded); null when the placeholder is missing or a built-in special token (BOS,
 * EOS...) comes before it. Special-token text (`<tool_call>`) is kept as text.
 */
export function callPrefixFromRendering(rendered: LlamaTextJSON): string | null {
  const marker = JSON.stringify(PLACEHOLDER);
  let before = "";
  for (const value of typeof rendered === "string" ? [rendered] : rendered) {
    const piece = typeof value === "string" ? value : value.type === "specialTokensText" ? value.value : null;
    if (piece === null) return null;
    const at = piece.indexOf(marker);
    if (at >= 0) return before + piece.slice(0, at);
    before += piece;
  }
  return null;
}

/** The call syntax used when a chat template has no usable one: `{"name": "<tool>", "arguments": <args>}`. */
export function defaultCallSyntax(name: string): CallSyntax {
  return { name, before: `{"name": ${JSON.stringify(name)}, "arguments": ` };
}

/**
 * The call syntax of each tool in the model's own chat template (node-llama-cpp's `ChatWrapper.generateFunctionCall`):
 * Qwen's `<tool_call>` JSON, Llama 3.1's `<function=name>`, the generic `||call: name(`, ... Falls back to
 * `defaultCallSyntax` when the template's syntax cannot be written as plain text.
 */
export function callSyntaxOf(wrapper: ChatWrapper, names: readonly string[]): CallSyntax[] {
  return names.map((name) => {
    let before: string | null = null;
    try {
      before = callPrefixFromRendering(wrapper.generateFunctionCall(name, PLACEHOLDER).toJSON());
    } catch {
      before = null;
    }
    return before === null || !before.includes(name) ? defaultCallSyntax(name) : { name, before };
  });
}
