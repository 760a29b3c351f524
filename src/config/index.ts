export {
  PROVIDERS,
  memberConfigSchema,
  tierConfigSchema,
  pyramidConfigSchema,
  policyConfigSchema,
  type Provider,
  type MemberConfig,
  type TierConfig,
  type PyramidConfig,
  type PyramidConfigInput,
} from "./schema.js";
export { configIssues, formatPath, type ConfigIssue } from "./issues.js";
export {
  ConfigFileError,
  DEFAULT_CONFIG_FILES,
  findPyramidConfig,
  loadPyramidConfig,
  parsePyramidConfig,
  validatePyramidConfig,
} from "./load.js";
export { pyramidFromConfig, chatModelFromMember, type PyramidFromConfigOptions } from "./build.js";
export {
  openAICompatibleModel,
  apiKeyEnvOf,
  OLLAMA_DEFAULT_BASE_URL,
  OPENAI_DEFAULT_BASE_URL,
} from "./providers/openai.js";
export { disposeLlamaCppEngines } from "./providers/llamacpp.js";
export { budgetFromConfig, budgetRedisUrl, disposeConfigBudgets, GLOBAL_BUDGET_ACCOUNT } from "./budget.js";
export { budgetConfigSchema, tenantConfigSchema, tenantsConfigSchema } from "./serving_schema.js";
export type { BudgetConfig, TenantConfig } from "./serving_schema.js";
export { defaultRecordedFile } from "./providers/replay.js";
export {
  EXAMPLE_CONFIG_YAML,
  EXAMPLE_CONFIG_JSON,
  INIT_TEMPLATES,
  defaultLlamaCppThreads,
  llamaCppExampleYaml,
  replayExampleYaml,
  type InitTemplate,
} from "./example.js";
export { registerConfigSecrets } from "./secrets.js";
export { registerSecret } from "../security/redact.js";
