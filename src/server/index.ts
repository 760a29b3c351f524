export { createPyramidServer, DEFAULT_MAX_BODY_BYTES, type PyramidServerOptions } from "./server.js";
export type { PyramidServer } from "./lifecycle.js";
export {
  chatCompletionRequestSchema,
  type ChatCompletionRequest,
  type ChatCompletionRequestMessage,
} from "./schema.js";
export { toChatCompletion, type ChatCompletion, type CompletionUsage, type CompletionToolCall } from "./format.js";
export { toLangChainMessages } from "./messages.js";
export { HttpError, toHttpError } from "./errors.js";
export { DEFAULT_REQUEST_TIMEOUT_MS } from "./server.js";
export { PyramidMetrics, DEFAULT_TENANT } from "./metrics.js";
export { TenantGate, tenantSpendingBudget, BUDGET_REMAINING_HEADER, TENANT_HEADER } from "./tenants.js";
export type { ServerTenant, AdmittedTenant } from "./tenants.js";
export { tenantsFromConfig } from "./tenants_config.js";
export type { ServingLimits } from "./tenants_config.js";
export { listenError } from "./listen_error.js";
export { FEEDBACK_SECRET_ENV } from "./feedback_ids.js";
export { DEFAULT_MAX_TOOL_SCHEMA_BYTES, DEFAULT_MAX_TOOL_SCHEMA_DEPTH } from "./tool_limits.js";
