import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import { PyramidConfigError } from "../errors/index.js";
import type { ChatRunnable, Member } from "./member.js";
import { bindMemberTools, requireToolChoice } from "./tool_choice.js";
import { underlyingChatModel } from "./underlying.js";

/**
 * Call options of the pyramid that are its own or LangChain's / LangGraph's plumbing, never forwarded to members:
 * the abort signal (forwarded separately), the batch index, the output version (the pyramid formats its own
 * output), the structured-output tracing descriptor of the pyramid's run, and the runtime that a LangGraph node
 * passes on with its config (writer, store, context, interrupt, ...).
 */
const NOT_FORWARDED = new Set([
  "signal",
  "deadlineMs",
  "timeout",
  "promptIndex",
  "outputVersion",
  "ls_structured_output_format",
  "callbacks",
  "tags",
  "metadata",
  "runName",
  "runId",
  "configurable",
  "recursionLimit",
  "maxConcurrency",
  "writer",
  "store",
  "context",
  "interrupt",
  "heartbeat",
  "durability",
  "executionInfo",
  "serverInfo",
  "runtime",
  // The pyramid's own per-call setting: the query's ledger (its money, and who pays).
  "ledger",
]);

/** Tool-related options that a chat model taking `tools` per call also takes (they shape its tool definitions). */
const TOOL_OPTIONS = new Set(["strict", "parallel_tool_calls"]);

/** Model options the pyramid itself knows: forwarded to every member, which must take them. */
const MODEL_OPTIONS = ["stop", "tools", "tool_choice", "response_format", "strict", "parallel_tool_calls"];

/**
 * The model options of a pyramid call that go to every member: the options the pyramid knows (`stop`, `tools`,
 * `tool_choice`, `response_format`, `strict`, `parallel_tool_calls`) and every option some member's chat model
 * declares in its `callKeys` (e.g. ChatOpenAI's `seed`). Other keys are LangChain's or LangGraph's plumbing
 * (`version`, `writer`, `store`, ...), or options no member reads, which any LangChain chat model ignores too.
 */
export function forwardedCallOptions(
  options: Readonly<Record<string, unknown>>,
  members: readonly Member[],
): Record<string, unknown> {
  const known = new Set(MODEL_OPTIONS);
  for (const member of members) for (const key of underlyingChatModel(member.runnable)?.callKeys ?? []) known.add(key);
  const forwarded: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && known.has(key) && !NOT_FORWARDED.has(key)) forwarded[key] = value;
  }
  return forwarded;
}

/**
 * Whether a member's chat model takes call option `key`: it lists the key in its `callKeys` (as LangChain chat
 * models do for the options they read), or the key is a tool option (`strict`, `parallel_tool_calls`) of a model
 * that takes `tools` per call.
 */
export function acceptsCallOption(runnable: ChatRunnable, key: string): boolean {
  const model = underlyingChatModel(runnable);
  if (!model) return false;
  const keys = model.callKeys;
  return keys.includes(key) || (TOOL_OPTIONS.has(key) && keys.includes("tools"));
}

/** What calling one member with the pyramid's call options takes: the runnable to call and its call options. */
export interface MemberInvocation {
  /** The member's runnable, rebound with per-call `tools` when the model takes tools only through `bindTools`. */
  readonly runnable: ChatRunnable;
  /** The call options the member is invoked with (merged by LangChain with what the member was bound with). */
  readonly options: Readonly<Record<string, unknown>>;
}

/**
 * How member `member` is called with the pyramid call's options: every option goes to the member, where LangChain
 * merges it with the member's own bindings. Per-call `tools` go through the model's standard
 * `bindTools(tools, { tool_choice })` when the model does not take `tools` as a call option (`ChatAnthropic`,
 * `ChatOllama`, ...); `tool_choice` goes to every member that can honour it (`takesToolChoice`).
 *
 * @throws PyramidConfigError naming the member and the option when the member cannot take an option (it would
 *   otherwise be dropped silently), or cannot honour a `tool_choice` other than `"auto"`.
 */
export function memberInvocation(member: Member, callOptions: Readonly<Record<string, unknown>>): MemberInvocation {
  let runnable = member.runnable;
  const options: Record<string, unknown> = {};
  const tools = callOptions.tools;
  const viaBindTools = Array.isArray(tools) && !acceptsCallOption(runnable, "tools");
  if (viaBindTools) {
    const kwargs = callOptions.tool_choice !== undefined ? { tool_choice: callOptions.tool_choice } : {};
    runnable = bindMemberTools(member.name, runnable, tools as BindToolsInput[], kwargs, "tools");
  }
  for (const [key, value] of Object.entries(callOptions)) {
    if (viaBindTools && (key === "tools" || key === "tool_choice")) continue;
    if (key === "tool_choice") {
      requireToolChoice(member.name, runnable, value);
      options[key] = value;
    } else if (acceptsCallOption(runnable, key)) {
      options[key] = value;
    } else {
      throw new PyramidConfigError(
        `member "${member.name}" does not take the call option "${key}", so it would be ignored`,
        {
          field: key,
          fix: `drop "${key}" from the call, or use members whose chat models take it (it must be in the model's callKeys)`,
        },
      );
    }
  }
  return { runnable, options };
}

/** Checks, before any call, that every member of every tier takes the call's options (see {@link memberInvocation}). */
export function checkMemberCallOptions(
  members: readonly Member[],
  callOptions: Readonly<Record<string, unknown>>,
): void {
  if (Object.keys(callOptions).length === 0) return;
  for (const member of members) memberInvocation(member, callOptions);
}
