import type { z } from "zod";
import { PROVIDERS } from "./schema.js";

/** One problem found in a config file. */
export interface ConfigIssue {
  /** Path of the field at fault, in JavaScript notation: `tiers[0].members[2].provider`. */
  readonly path: string;
  /** Raw path segments (for locating the field in the file). */
  readonly segments: readonly (string | number)[];
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
}

const SECRET_KEYS = new Set(["apiKey", "api_key", "apikey", "key", "token", "openAIApiKey", "password", "secret"]);

/** Renders path segments as `tiers[0].members[2].provider`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out.length === 0 ? segment : `.${segment}`;
  }
  return out || "(top level)";
}

const FIXES: Record<string, string> = {
  provider: `set provider to one of ${PROVIDERS.map((p) => `"${p}"`).join(", ")}`,
  model: 'give the model name as a string, e.g. model: "llama3.1:8b"',
  name: "give a non-empty name, distinct from the others of its list",
  modelPath: "give modelPath: the path of the GGUF file (relative to the config file) or an hf: URI",
  recordedFile: "give the path of a recorded JSONL file, or omit it for the recorded GSM8K outputs",
  baseURL: "give the API base URL with its scheme, e.g. http://127.0.0.1:11434/v1",
  apiKeyEnv:
    "give the NAME of the environment variable holding the key (e.g. apiKeyEnv: OPENAI_API_KEY) and export the key in it",
  price: "give USD per 1M tokens, e.g. price: { input: 0.2, output: 0.6 }",
  input: "give USD per 1M input tokens, a number >= 0",
  output: "give USD per 1M output tokens, a number >= 0",
  timeoutMs: "give a whole number of milliseconds > 0",
  retries: "give a whole number between 0 and 10",
  maxConcurrency: "give a whole number > 0",
  temperature: "give a number between 0 and 2",
  maxTokens: "give a whole number > 0",
  seed: "give a whole number >= 0",
  contextSize: "give a whole number of tokens >= 32",
  threads: "give a whole number of CPU threads (0: automatic)",
  downloadTimeoutMs: "give a whole number of milliseconds > 0",
  policy:
    'give { threshold: 0.5 }, { costBarrier: 0.05, oracleAccuracy: 0.9 }, { preset: "balanced" } or a preset name such as "balanced"',
  threshold: "give a probability between 0 and 1",
  costBarrier: "give C_esc / U_correct, a number >= 0",
  oracleAccuracy: "give the next tier's accuracy, between 0 and 1",
  preset: 'give a preset stored in the router file, e.g. "balanced"',
  router: "give the path of a router file (from `pyramid-moa train`), relative to the config file",
  mode: 'use "routing" or "generative"',
  task: 'use one of "math", "math-latex", "choice", "code", "text", "short-answer", or a key { field: "answer" }, { regex: "Answer: (\\S+)" }, { choice: [labels] }',
  field: 'give the JSON field of the outputs that holds the answer, e.g. "answer" or "result.answer"',
  regex: "give a JavaScript regular expression whose first capture group is the answer",
  askConfidence: "use true or false",
  onApexError: 'use "crowd" (return the lower tier\'s answer) or "throw"',
  maxCostPerQuery: "give a number of USD >= 0",
  onBudgetExceeded: 'use "answer" (keep the lower tier\'s answer) or "throw" (HTTP 402 from serve)',
  generativePrompt: 'give a template containing "{candidates}"',
  tiers:
    "list at least two tiers, from the cheapest (the crowd) to the apex (the Oracle), each { name, members: [...] }",
  members: "give at least one member: { provider, model, ... }",
  budget: "give budget: { limitUsd: 20, window: day, redis: redis://127.0.0.1:6379 } (window and redis optional)",
  limitUsd: "give a number of USD >= 0",
  window: 'use "day", "month" or "total"',
  redis: "give a redis:// URL, e.g. redis://127.0.0.1:6379/0 (omit it to keep the budget in each process)",
  reservationTtlMs: "give a whole number of milliseconds > 0, above the apex's longest call",
  tenants: "list tenants as { name, keyEnv, budgetUsd?, requestsPerMinute?, tokensPerMinute? }",
  keyEnv: "give the NAME of the environment variable holding the tenant's API key, with a distinct variable per tenant",
  budgetUsd: "give a number of USD >= 0",
  requestsPerMinute: "give a whole number > 0",
  tokensPerMinute: "give a whole number > 0",
};

function lastKey(segments: readonly PropertyKey[]): string | undefined {
  for (let i = segments.length - 1; i >= 0; i--) if (typeof segments[i] === "string") return segments[i] as string;
  return undefined;
}

function valueAt(input: unknown, segments: readonly (string | number)[]): unknown {
  let value = input;
  for (const segment of segments) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

/** Turns zod issues into {@link ConfigIssue}s with a path in JS notation and a fix. */
export function configIssues(error: z.ZodError, input?: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const segments = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keyPath = [...segments, key];
        const secret = SECRET_KEYS.has(key);
        out.push({
          path: formatPath(keyPath),
          segments: keyPath,
          message: secret ? "API keys never go in the config file" : `unknown field "${key}"`,
          fix: secret
            ? "export the key in an environment variable and give its NAME in apiKeyEnv, e.g. apiKeyEnv: OPENAI_API_KEY"
            : `remove it or fix its spelling (the fields are listed in docs/config.md)`,
        });
      }
      continue;
    }
    let message = issue.message;
    if (issue.code === "invalid_union" && "note" in issue && issue.note === "No matching discriminator") {
      const given = valueAt(input, segments);
      message = given === undefined ? "provider is missing" : `unknown provider ${JSON.stringify(given)}`;
    } else if (issue.code === "invalid_union") {
      message = "is not a valid value";
    }
    const key = lastKey(segments);
    out.push({
      path: formatPath(segments),
      segments,
      message,
      fix:
        (key && FIXES[key]) ??
        (segments.length === 0 ? "the file must hold an object with tiers: [...]" : "see docs/config.md"),
    });
  }
  return out;
}
