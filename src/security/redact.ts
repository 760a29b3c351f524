/** What a redacted secret is replaced with. */
export const REDACTED = "[REDACTED]";

/** Options of {@link redactSecrets}. */
export interface RedactOptions {
  /** More literal secrets to mask (e.g. a key passed in code rather than through the environment). */
  readonly extraSecrets?: readonly string[];
  /** Environment whose secret-looking variables are masked; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** Environment values shorter than this are not masked (too likely to occur by chance, e.g. `1`, `true`). */
const MIN_ENV_SECRET_LENGTH = 8;

const SECRET_ENV_NAME = /(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?)$/i;

/**
 * Token shapes masked wherever they appear: `Bearer <token>`, OpenAI/Anthropic-style `sk-...` keys,
 * Hugging Face `hf_...`, GitHub `ghp_...`/`github_pat_...`, Google `AIza...`, AWS `AKIA...`, Slack `xox?-...`.
 * Every pattern is a single character-class run, so matching stays linear on long inputs.
 */
const TOKEN_PATTERNS: readonly RegExp[] = [
  /\b(Bearer\s+)[A-Za-z0-9\-._~+/]{8,}=*/gi,
  /\bsk-[A-Za-z0-9_-]{16,}/g,
  /\bhf_[A-Za-z0-9]{16,}/g,
  /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g,
  /\bAIza[0-9A-Za-z_-]{30,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
];

/**
 * `api_key=...`, `"apiKey": "..."`, `token: ...` and the like (a value of 12+ characters with a digit, so that
 * `max_tokens: 4096` stays readable): the name is bounded, the value is masked.
 */
const NAMED_VALUE = /\b([A-Za-z][\w-]{0,40})(["']?\s{0,3}[:=]\s{0,3}["']?)([A-Za-z0-9._~+/-]{12,}=*)/g;
const SECRET_NAME = /api[_-]?key|token|secret|password|passwd|credential|authorization/i;

/** The values of the configured secrets, whatever their variables are called (see {@link registerSecret}). */
const CONFIGURED = new Set<string>();

/**
 * Masks `value` in every later {@link redactSecrets} call of this process (every candidate error, trace line, log
 * line and client response): the config's `apiKeyEnv`, `keyEnv` and `redisEnv` values, tenant keys, the server's
 * token. Values shorter than 8 characters are ignored (too likely to occur by chance).
 */
export function registerSecret(value: string | undefined): void {
  if (value === undefined || value.length < MIN_ENV_SECRET_LENGTH) return;
  CONFIGURED.add(value);
  // A URL's password (redis://:password@host) is a secret of its own.
  const password = /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*?:([^/@\s]+)@/i.exec(value)?.[1];
  if (password !== undefined && password.length >= MIN_ENV_SECRET_LENGTH) {
    CONFIGURED.add(password);
    try {
      CONFIGURED.add(decodeURIComponent(password));
    } catch {
      // Not percent-encoded.
    }
  }
}

/** Registers the value of the environment variable `name` with {@link registerSecret} (nothing when unset). */
export function registerSecretEnv(name: string, env: Readonly<Record<string, string | undefined>> = process.env): void {
  registerSecret(env[name]);
}

/** The registered secret values (for tests and for streaming redaction's hold-back). */
export function configuredSecrets(): readonly string[] {
  return [...CONFIGURED];
}

/** Whether an environment variable's name says it holds a secret (`*_API_KEY`, `*_TOKEN`, `*_SECRET`, ...). */
export function isSecretEnvName(name: string): boolean {
  return SECRET_ENV_NAME.test(name);
}

/** The values of the secret-looking variables of `env` (long enough to be worth masking), longest first. */
export function secretEnvValues(env: Readonly<Record<string, string | undefined>> = process.env): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= MIN_ENV_SECRET_LENGTH && isSecretEnvName(name)) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

function maskLiteral(text: string, secret: string): string {
  if (!secret || !text.includes(secret)) return text;
  return text.split(secret).join(REDACTED);
}

/**
 * Masks secrets in `text`: every value registered with {@link registerSecret} (the configured secrets, whatever
 * their variables' names), the values of secret-looking environment variables (`*_API_KEY`, `*_TOKEN`,
 * `*_SECRET`, ... present in `process.env`), `extraSecrets` (all also URL-encoded), bearer tokens, well-known key
 * shapes (`sk-...`, `hf_...`, `ghp_...`, `AIza...`, `AKIA...`) and `api_key=...`-style assignments. Used on
 * every member error before it is recorded in a trace.
 *
 * ```ts
 * redactSecrets("401: bad key sk-abcdefghijklmnopqrstu"); // "401: bad key [REDACTED]"
 * ```
 */
export function redactSecrets(text: string, options: RedactOptions = {}): string {
  let result = text;
  const literals = [...(options.extraSecrets ?? []), ...CONFIGURED, ...secretEnvValues(options.env ?? process.env)]
    .filter((secret) => secret.length > 0)
    .sort((a, b) => b.length - a.length);
  for (const secret of literals) {
    result = maskLiteral(result, secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) result = maskLiteral(result, encoded);
  }
  for (const pattern of TOKEN_PATTERNS) {
    result = result.replace(pattern, (_match: string, prefix?: unknown) =>
      typeof prefix === "string" ? `${prefix}${REDACTED}` : REDACTED,
    );
  }
  return result.replace(NAMED_VALUE, (match: string, name: string, separator: string, value: string) =>
    SECRET_NAME.test(name) && /\d/.test(value) && !value.includes(REDACTED) ? `${name}${separator}${REDACTED}` : match,
  );
}

/**
 * Where `text` holds something {@link redactSecrets} would mask (literal secrets and token shapes), as `[start, end)`
 * spans: what a streaming redactor must not cut through.
 */
export function secretSpans(text: string, options: RedactOptions = {}): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const literals = [...(options.extraSecrets ?? []), ...CONFIGURED, ...secretEnvValues(options.env ?? process.env)];
  for (const secret of literals) {
    for (const form of new Set([secret, encodeURIComponent(secret)])) {
      if (form.length === 0) continue;
      for (let at = text.indexOf(form); at >= 0; at = text.indexOf(form, at + 1)) spans.push([at, at + form.length]);
    }
  }
  for (const pattern of [...TOKEN_PATTERNS, NAMED_VALUE]) {
    for (const match of text.matchAll(new RegExp(pattern.source, pattern.flags))) {
      spans.push([match.index, match.index + match[0].length]);
    }
  }
  return spans;
}

/** Every literal secret {@link redactSecrets} knows of now, with its URL-encoded form. */
export function knownSecretLiterals(options: RedactOptions = {}): string[] {
  const literals = [...(options.extraSecrets ?? []), ...CONFIGURED, ...secretEnvValues(options.env ?? process.env)];
  return [...new Set(literals.flatMap((secret) => [secret, encodeURIComponent(secret)]))].filter((s) => s.length > 0);
}
