import type { BaseChatModelCallOptions, BindToolsInput, ToolChoice } from "@langchain/core/language_models/chat_models";
import type { Budget, CrowdHold } from "../cost/budget_api.js";

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
  /** The budget this call spends from instead of the pyramid's `budget` (e.g. a tenant's; see `combineBudgets`). */
  budget?: Budget;
  /**
   * The crowd's expected cost, already held on a budget (`serve` holds it on the tenant's own budget): the crowd
   * tier settles it with its real cost instead of charging `budget`. Not forwarded to members.
   */
  crowdHold?: CrowdHold;
  /** A tenant name recorded on the query's OpenTelemetry span (`pyramid.tenant`). Not forwarded to members. */
  tenant?: string;
  /** This call's deadline in milliseconds (overrides the pyramid's `deadlineMs`). Not forwarded to members. */
  deadlineMs?: number;
}
