export { redactSecrets, isSecretEnvName, secretEnvValues, REDACTED } from "./redact.js";
export type { RedactOptions } from "./redact.js";
export { redactingCallbacks, redactError } from "./redacting_callbacks.js";
