export {
  redactSecrets,
  isSecretEnvName,
  secretEnvValues,
  registerSecret,
  registerSecretEnv,
  configuredSecrets,
  REDACTED,
} from "./redact.js";
export type { RedactOptions } from "./redact.js";
export { redactingCallbacks, redactError } from "./redacting_callbacks.js";
export { summarizeModelError } from "./summarize.js";
export { StreamRedactor } from "./stream_redactor.js";
