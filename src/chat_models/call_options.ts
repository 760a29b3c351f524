import type { BaseChatModelCallOptions, BindToolsInput, ToolChoice } from "@langchain/core/language_models/chat_models";
import type { Ledger } from "../ledger/ledger.js";

/**
 * Call options of {@link PyramidChatModel}: LangChain's, and the model options that go to every member call
 * (merged with what each member was bound with); a member that cannot take one makes the call fail, naming it.
 */
export interface PyramidChatModelCallOptions extends BaseChatModelCallOptions {
  /** Tools for this call, given to every member (per call, or through `bindTools` for models that take them only so). */
  tools?: BindToolsInput[];
  /** Which tool members must call (`"auto"`, `"any"`, `"none"`, a tool name, or an OpenAI tool choice). */
  tool_choice?: ToolChoice;
  /** The `response_format` of members that take one (OpenAI: `json_object` or `json_schema`). */
  response_format?: Record<string, unknown>;
  /** Strict tool schemas, for members that take it. */
  strict?: boolean;
  /** Parallel tool calls, for members that take it. */
  parallel_tool_calls?: boolean;
  /**
   * All the money of this call (a `BudgetLedger` over a tenant's and the pyramid's budgets, made per query; `serve`
   * makes one per request and holds the crowd's worst case on it first): the graph reserves escalations and settles
   * every tier's cost through it, and its `account` is recorded on the query's span (`pyramid.tenant`). The caller
   * releases it when the call is done. None: the pyramid makes one over its own `budget`. Not forwarded to members.
   */
  ledger?: Ledger;
  /** This call's deadline in milliseconds (overrides the pyramid's `deadlineMs`). Not forwarded to members. */
  deadlineMs?: number;
}
