import type { ToolDefinition } from "@langchain/core/language_models/base";
import type { BindToolsInput, ToolChoice } from "@langchain/core/language_models/chat_models";
import { convertToOpenAITool, isLangChainTool } from "@langchain/core/utils/function_calling";
import { ToolDefinitionError } from "../../../errors/index.js";

/** A tool as the llama.cpp engine uses it: OpenAI's function shape with an object JSON schema. */
export interface LlamaCppTool {
  /** Tool name (letters, digits, `_`, `-`, `.`; at most 64). */
  name: string;
  /** What the tool does (shown to the model). */
  description?: string;
  /** JSON schema of the arguments object (without `$schema`). */
  parameters: Record<string, unknown>;
}

/** How a call may use its tools: answer in text or call (`auto`), must call one of `allowed` (`required`), or must not call (`none`). */
export type ResolvedToolChoice =
  | { mode: "auto"; allowed: string[] }
  | { mode: "required"; allowed: string[] }
  | { mode: "none"; allowed: [] };

const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

const TOOL_FIX =
  'Pass LangChain tools (tool(...)), { name, description, schema } with a zod or JSON schema, or OpenAI tools ({ type: "function", function: { name, parameters } }).';

const CHOICE_FIX =
  'Use "auto", "none", "any" (or "required"), the name of a bound tool, or { type: "function", function: { name } }.';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toOpenAITool(tool: BindToolsInput, index: number): ToolDefinition {
  if (isLangChainTool(tool)) return convertToOpenAITool(tool);
  if (isRecord(tool) && tool.type === "function" && isRecord(tool.function)) return tool as unknown as ToolDefinition;
  if (isRecord(tool) && typeof tool.name === "string" && !("schema" in tool)) {
    const { name, description, parameters } = tool;
    return {
      type: "function",
      function: {
        name,
        description: typeof description === "string" ? description : undefined,
        parameters: isRecord(parameters) ? parameters : {},
      },
    };
  }
  throw new ToolDefinitionError("expected a LangChain tool, a { name, schema } tool or an OpenAI function tool", {
    field: `tools[${index}]`,
    fix: TOOL_FIX,
  });
}

/**
 * Converts what `bindTools` accepts (LangChain tools, `{ name, description, schema }` with a zod or JSON schema,
 * OpenAI tool definitions, bare OpenAI function definitions) into `LlamaCppTool`s, checking names (unique,
 * `[A-Za-z0-9_.-]{1,64}`) and that every schema describes an object. Throws `ToolDefinitionError`.
 */
export function normalizeTools(tools: readonly BindToolsInput[]): LlamaCppTool[] {
  const seen = new Set<string>();
  return tools.map((input, index) => {
    const definition = toOpenAITool(input, index);
    const fn = definition.function as { name?: unknown; description?: unknown; parameters?: unknown };
    const field = `tools[${index}].function`;
    if (typeof fn.name !== "string" || !NAME_PATTERN.test(fn.name)) {
      throw new ToolDefinitionError(`invalid tool name ${JSON.stringify(fn.name)}`, {
        field: `${field}.name`,
        fix: "Name tools with 1 to 64 letters, digits, underscores, dashes or dots.",
      });
    }
    if (seen.has(fn.name)) {
      throw new ToolDefinitionError(`two tools are named "${fn.name}"`, {
        field: `${field}.name`,
        fix: "Give every bound tool its own name.",
      });
    }
    seen.add(fn.name);
    const rawParameters = fn.parameters ?? { type: "object", properties: {} };
    if (!isRecord(rawParameters) || (rawParameters.type !== undefined && rawParameters.type !== "object")) {
      throw new ToolDefinitionError("the arguments schema must describe a JSON object", {
        field: `${field}.parameters`,
        fix: 'Use an object schema ({ type: "object", properties: { ... } } or z.object({ ... })).',
      });
    }
    const { $schema: _schema, ...parameters } = rawParameters;
    return {
      name: fn.name,
      ...(typeof fn.description === "string" && fn.description.length > 0 ? { description: fn.description } : {}),
      parameters: { type: "object", ...parameters },
    };
  });
}

/**
 * Reads LangChain's `tool_choice` for the bound `names`: `"auto"` (or unset), `"none"`, `"any"`/`"required"`,
 * a tool name, `{ type: "function", function: { name } }` or `{ type: "tool", name }`. Throws `ToolDefinitionError`
 * for anything else, or for a tool that is not bound.
 */
export function resolveToolChoice(choice: ToolChoice | undefined, names: readonly string[]): ResolvedToolChoice {
  if (choice === undefined || choice === "auto") return { mode: "auto", allowed: [...names] };
  if (choice === "none") return { mode: "none", allowed: [] };
  if (names.length === 0) {
    throw new ToolDefinitionError(`tool_choice ${JSON.stringify(choice)} needs bound tools`, {
      field: "tool_choice",
      fix: "Bind tools with bindTools([...]) (or pass tools in the call options), or drop tool_choice.",
    });
  }
  if (choice === "any" || choice === "required") return { mode: "required", allowed: [...names] };
  let name: unknown;
  if (typeof choice === "string") name = choice;
  else if (isRecord(choice) && choice.type === "function" && isRecord(choice.function)) name = choice.function.name;
  else if (isRecord(choice) && choice.type === "tool") name = choice.name;
  if (typeof name !== "string")
    throw new ToolDefinitionError(`unsupported tool_choice ${JSON.stringify(choice)}`, {
      field: "tool_choice",
      fix: CHOICE_FIX,
    });
  if (!names.includes(name)) {
    throw new ToolDefinitionError(
      `tool_choice names "${name}", which is not a bound tool (bound: ${names.join(", ")})`,
      {
        field: "tool_choice",
        fix: CHOICE_FIX,
      },
    );
  }
  return { mode: "required", allowed: [name] };
}
