import { registerSecret, registerSecretEnv } from "../security/redact.js";

/** Keys of a config whose value is a URL that may carry a password. */
const URL_KEYS = new Set(["redis"]);

/**
 * Registers every secret a config names with the redaction of this process: the value of each environment variable
 * a `...Env` field names (`apiKeyEnv`, `keyEnv`, `redisEnv`, and any later one), and the password of a `redis`
 * URL. From then on `redactSecrets` masks those values everywhere (candidate errors, traces, logs, responses),
 * whatever the variables are called.
 */
export function registerConfigSecrets(
  config: unknown,
  env: Readonly<Record<string, string | undefined>> = process.env,
): void {
  const seen = new Set<unknown>();
  const walk = (value: unknown): void => {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      for (const item of value) walk(item);
      return;
    }
    for (const [key, field] of Object.entries(value as Record<string, unknown>)) {
      if (typeof field === "string" && /Env$/.test(key)) registerSecretEnv(field, env);
      else if (typeof field === "string" && URL_KEYS.has(key)) registerSecret(field);
      else walk(field);
    }
  };
  walk(config);
}
