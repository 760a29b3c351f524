import type { BaseChatModelCallOptions, BindToolsInput } from "@langchain/core/language_models/chat_models";
import type { LangGraphRunnableConfig, PregelOptions } from "@langchain/langgraph";
import { PyramidConfigError } from "../errors/index.js";
import type { ChatRunnable, Member } from "./member.js";
import { bindMemberTools, requireToolChoice } from "./tool_choice.js";
import { underlyingChatModel } from "./underlying.js";

/**
 * What the pyramid does with a call option: `every` goes to every member, which must take it; `declared` goes to the
 * members whose chat model declares it (`callKeys`); `never` is plumbing of the pyramid, LangChain or LangGraph and
 * stays with the pyramid's own run.
 */
type CallOptionRole = "every" | "declared" | "never";

/** Every call option of a LangChain chat model call and of a LangGraph node's config. */
type FrameworkCallOption =
  | keyof BaseChatModelCallOptions
  | keyof LangGraphRunnableConfig
  | keyof PregelOptions<Record<string, never>, Record<string, never>>;

/**
 * The role of every call option LangChain and LangGraph define. Typed against the libraries' own types (an object
 * with exactly their keys): a version that adds or drops an option fails the typecheck here until it is given a role.
 * The abort signal and the deadline reach members separately; the pyramid formats its own output (`outputVersion`).
 */
const FRAMEWORK_CALL_OPTIONS = {
  stop: "every",
  tool_choice: "every",
  maxRetries: "declared",
  signal: "never",
  timeout: "never",
  outputVersion: "never",
  ls_structured_output_format: "never",
  callbacks: "never",
  tags: "never",
  metadata: "never",
  runName: "never",
  runId: "never",
  configurable: "never",
  recursionLimit: "never",
  maxConcurrency: "never",
  writer: "never",
  store: "never",
  context: "never",
  interrupt: "never",
  heartbeat: "never",
  executionInfo: "never",
  serverInfo: "never",
  control: "never",
  durability: "never",
  cache: "never",
  debug: "never",
  encoding: "never",
  streamMode: "never",
  inputKeys: "never",
  outputKeys: "never",
  interruptBefore: "never",
  interruptAfter: "never",
  subgraphs: "never",
  checkpointDuring: "never",
} as const satisfies Record<FrameworkCallOption, CallOptionRole>;

/**
 * The role of every call option `PyramidChatModelCallOptions` adds to LangChain's (test/members/call_options.test.ts
 * checks at compile time that these are exactly its keys): the tool and format options go to every member; the
 * query's ledger and deadline are the pyramid's own.
 */
export const PYRAMID_CALL_OPTIONS = {
  tools: "every",
  response_format: "every",
  strict: "every",
  parallel_tool_calls: "every",
  ledger: "never",
  deadlineMs: "never",
} as const satisfies Record<string, CallOptionRole>;

/** Options passed at run time that no type declares: LangChain's `generate` adds `promptIndex`, LangGraph `runtime`. */
const UNTYPED_PLUMBING = ["promptIndex", "runtime"] as const;

const ROLES: Readonly<Record<string, CallOptionRole>> = { ...FRAMEWORK_CALL_OPTIONS, ...PYRAMID_CALL_OPTIONS };

/** Call options never forwarded to members, from the roles above. */
const NOT_FORWARDED = new Set([...Object.keys(ROLES).filter((key) => ROLES[key] === "never"), ...UNTYPED_PLUMBING]);

/** Tool-related options that a chat model taking `tools` per call also takes (they shape its tool definitions). */
const TOOL_OPTIONS = new Set(["strict", "parallel_tool_calls"]);

/** Model options the pyramid itself knows: forwarded to every member, which must take them. */
const MODEL_OPTIONS = Object.keys(ROLES).filter((key) => ROLES[key] === "every");

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
