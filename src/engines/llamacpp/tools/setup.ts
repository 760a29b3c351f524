import type { BindToolsInput, ToolChoice } from "@langchain/core/language_models/chat_models";
import type { ChatWrapper } from "node-llama-cpp";
import { callSyntaxOf, type CallSyntax } from "./call_syntax.js";
import { normalizeTools, resolveToolChoice, type LlamaCppTool, type ResolvedToolChoice } from "./definitions.js";
import type { Grammar } from "./grammar.js";
import { buildToolGrammar } from "./tool_grammar.js";

/** Everything a call with tools needs: the tools, the choice, the model's call syntax and the answer grammar. */
export interface ToolCallSetup {
  /** The bound tools. */
  tools: LlamaCppTool[];
  /** What the answer may be. */
  choice: ResolvedToolChoice;
  /** How the model writes a call of each tool. */
  syntax: CallSyntax[];
  /** Grammar of the answer. */
  grammar: Grammar;
}

const cache = new WeakMap<ChatWrapper, WeakMap<readonly BindToolsInput[], Map<string, ToolCallSetup>>>();

/**
 * The tool setup of a call (undefined without tools), cached per chat template, tools array and `tool_choice`
 * (a `bindTools` binding passes the same array to every call). Throws `ToolDefinitionError` for unusable
 * tools, schemas or `tool_choice`.
 */
export function toolCallSetup(
  tools: readonly BindToolsInput[] | undefined,
  toolChoice: ToolChoice | undefined,
  wrapper: ChatWrapper,
): ToolCallSetup | undefined {
  if (tools === undefined || tools.length === 0) {
    resolveToolChoice(toolChoice, []);
    return undefined;
  }
  let byTools = cache.get(wrapper);
  if (byTools === undefined) {
    byTools = new WeakMap();
    cache.set(wrapper, byTools);
  }
  let byChoice = byTools.get(tools);
  if (byChoice === undefined) {
    byChoice = new Map();
    byTools.set(tools, byChoice);
  }
  const key = JSON.stringify(toolChoice ?? "auto");
  let setup = byChoice.get(key);
  if (setup === undefined) {
    const normalized = normalizeTools(tools);
    const choice = resolveToolChoice(
      toolChoice,
      normalized.map((tool) => tool.name),
    );
    const syntax = callSyntaxOf(
      wrapper,
      normalized.map((tool) => tool.name),
    );
    setup = { tools: normalized, choice, syntax, grammar: buildToolGrammar(normalized, choice, syntax) };
    byChoice.set(key, setup);
  }
  return setup;
}
