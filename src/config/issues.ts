import type { z } from "zod";
import { TASK_KINDS } from "../answers/types.js";
import { PROVIDERS, pyramidConfigSchema } from "./schema.js";
import { schemaAt, schemaFix } from "./schema_fix.js";

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

/** Hand-written fixes of the fields whose schema states no limit a fix could be read from (paths, names, shapes). */
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
  policy:
    'give { threshold: 0.5 }, { costBarrier: 0.05, oracleAccuracy: 0.9 }, { preset: "balanced" } or a preset name such as "balanced"',
  preset: 'give a preset stored in the router file, e.g. "balanced"',
  router: "give the path of a router file (from `pyramid-moa train`), relative to the config file",
  generativePrompt: 'give a template containing "{candidates}"',
  task: `use one of ${TASK_KINDS.map((task) => `"${task}"`).join(", ")}, or a key { field: "answer" }, { regex: "Answer: (\\S+)" }, { choice: [labels] }`,
  field: 'give the JSON field of the outputs that holds the answer, e.g. "answer" or "result.answer"',
  regex: "give a JavaScript regular expression whose first capture group is the answer",
  tiers:
    "list at least two tiers, from the cheapest (the crowd) to the apex (the Oracle), each { name, members: [...] }",
  members: "give at least one member: { provider, model, ... }",
  budget: "give budget: { limitUsd: 20, window: day, redis: redis://127.0.0.1:6379 } (window and redis optional)",
  redis: "give a redis:// URL, e.g. redis://127.0.0.1:6379/0 (omit it to keep the budget in each process)",
  tenants: "list tenants as { name, keyEnv, budgetUsd?, requestsPerMinute?, tokensPerMinute?, feedbackPerMinute? }",
  keyEnv: "give the NAME of the environment variable holding the tenant's API key, with a distinct variable per tenant",
};

/**
 * What a field means, added after the fix its schema states (`schemaFix`: the kind, limits or values). The limits
 * themselves are never written here: they live in the schemas only.
 */
const HINTS: Record<string, string> = {
  input: "USD per 1M input tokens",
  output: "USD per 1M output tokens",
  threads: "CPU threads; 0: automatic",
  contextSize: "tokens per context sequence",
  costBarrier: "C_esc / U_correct",
  oracleAccuracy: "the next tier's accuracy",
  threshold: "a probability",
  onApexError: '"crowd" returns the lower tier\'s answer',
  onBudgetExceeded: '"answer" keeps the lower tier\'s answer, "throw" is HTTP 402 from serve',
  reservationTtlMs: "above the apex's longest call",
};

/** The fix of the field at `segments`: hand-written, else read from the field's schema (with its hint). */
function fixFor(segments: readonly (string | number)[], input: unknown): string | undefined {
  const key = lastKey(segments);
  if (key && FIXES[key]) return FIXES[key];
  const schema = schemaAt(pyramidConfigSchema, segments, input);
  const derived = schema ? schemaFix(schema, key) : undefined;
  if (!derived) return undefined;
  const hint = key ? HINTS[key] : undefined;
  return hint ? `${derived} (${hint})` : derived;
}

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
    out.push({
      path: formatPath(segments),
      segments,
      message,
      fix:
        fixFor(segments, input) ??
        (segments.length === 0 ? "the file must hold an object with tiers: [...]" : "see docs/config.md"),
    });
  }
  return out;
}
