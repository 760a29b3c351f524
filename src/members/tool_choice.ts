import type { BaseChatModel, BindToolsInput } from "@langchain/core/language_models/chat_models";
import { PyramidConfigError } from "../errors/index.js";
import type { ChatRunnable } from "./member.js";
import { underlyingChatModel } from "./underlying.js";

/** The name of the tool the probe of {@link takesToolChoice} names (never sent anywhere). */
const PROBE = "pyramid_moa_tool_choice_probe";
const PROBE_TOOL = {
  type: "function" as const,
  function: { name: PROBE, description: "probe", parameters: { type: "object", properties: {} } },
};

const probed = new WeakMap<BaseChatModel, boolean>();

function probe(model: BaseChatModel): boolean {
  try {
    const params = model.invocationParams({ tools: [PROBE_TOOL], tool_choice: PROBE } as never) as Record<
      string,
      unknown
    >;
    const { tools: _tools, ...rest } = params ?? {};
    return JSON.stringify(rest).includes(PROBE);
  } catch {
    return false;
  }
}

/**
 * Whether a member's chat model takes `tool_choice`: it lists it in its `callKeys`, or (as `ChatAnthropic` does,
 * taking it through `bindTools(tools, { tool_choice })` without listing it) its request parameters for a call
 * naming a tool carry that choice. `ChatOllama`, whose API has no tool choice, does not.
 */
export function takesToolChoice(runnable: ChatRunnable): boolean {
  const model = underlyingChatModel(runnable);
  if (!model) return false;
  if (model.callKeys.includes("tool_choice")) return true;
  let known = probed.get(model);
  if (known === undefined) {
    known = probe(model);
    probed.set(model, known);
  }
  return known;
}

/** Whether a `tool_choice` asks for something (a call, a named tool, no call) beyond the model's default `auto`. */
export function constrainsTools(choice: unknown): boolean {
  return choice !== undefined && choice !== null && choice !== "auto";
}

/**
 * Checks that member `name` can honour `tool_choice`; a model that would ignore it is refused, never skipped.
 *
 * @throws PyramidConfigError (field `tool_choice`) naming the member.
 */
export function requireToolChoice(name: string, runnable: ChatRunnable, choice: unknown): void {
  if (!constrainsTools(choice) || takesToolChoice(runnable)) return;
  throw new PyramidConfigError(
    `member "${name}" cannot take "tool_choice" ${JSON.stringify(choice)} (its chat model ignores it), so it would answer without the forced tool`,
    {
      field: "tool_choice",
      fix: 'use members whose chat models take tool_choice, leave tool_choice "auto", or for withStructuredOutput use method "jsonSchema"',
    },
  );
}

/** A runnable that binds tools the standard LangChain way. */
export type ToolBindable = ChatRunnable & {
  bindTools(tools: BindToolsInput[], kwargs?: Record<string, unknown>): ChatRunnable;
};

/** Whether `runnable` has `bindTools`. */
export function hasBindTools(runnable: unknown): runnable is ToolBindable {
  return typeof (runnable as { bindTools?: unknown } | null)?.bindTools === "function";
}

/**
 * Binds `tools` to member `name` through its standard `bindTools(tools, kwargs)` (`kwargs`: `tool_choice`, `strict`,
 * `parallel_tool_calls`, ...), after checking that it has `bindTools` and can honour the `tool_choice`.
 *
 * @throws PyramidConfigError naming the member when it has no `bindTools` (field `field`) or cannot take the choice.
 */
export function bindMemberTools(
  name: string,
  runnable: unknown,
  tools: BindToolsInput[],
  kwargs: Readonly<Record<string, unknown>> = {},
  field = "bindTools",
): ChatRunnable {
  if (!hasBindTools(runnable)) {
    throw new PyramidConfigError(`member "${name}" does not support tool calling (no bindTools)`, {
      field,
      fix: "use chat models that implement bindTools for every tier",
    });
  }
  requireToolChoice(name, runnable, kwargs.tool_choice);
  const defined = Object.fromEntries(Object.entries(kwargs).filter(([, value]) => value !== undefined));
  return runnable.bindTools(tools, defined);
}
