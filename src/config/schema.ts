import { z } from "zod";
import { policyInputSchema, pyramidSettingsSchema } from "../graph/settings.js";
import { memberSettingsShape } from "../members/member.js";
import { budgetConfigSchema, tenantsConfigSchema } from "./serving_schema.js";

/** Providers a config member can use. */
export const PROVIDERS = ["llamacpp", "openai", "ollama", "replay"] as const;

/** A provider name: `llamacpp` (embedded GGUF), `openai` (any OpenAI-compatible endpoint), `ollama`, `replay`. */
export type Provider = (typeof PROVIDERS)[number];

/** What each provider is, for the documentation of the `provider` field. */
export const PROVIDER_DESCRIPTIONS: Readonly<Record<Provider, string>> = {
  llamacpp: "a GGUF file run in-process by node-llama-cpp (an optional package, imported only when a config uses it)",
  openai: "any OpenAI-compatible endpoint: OpenAI, vLLM, llama.cpp server, Together, Groq",
  ollama: "Ollama's OpenAI-compatible `/v1` (ChatOllama would hide log-probabilities)",
  replay: "recorded outputs, no model call",
};

/**
 * Settings every provider accepts: the member settings shared with code (name, price, timeoutMs, retries, ...),
 * the model and sampling. Each field's `describe` text is its row in docs/config.md (`scripts/config_table.ts`).
 */
const commonMember = {
  ...memberSettingsShape,
  model: z
    .string()
    .min(1, "must be a non-empty model name")
    .describe("the model id the endpoint knows; for `replay` the recorded model name; for `llamacpp` a display name"),
  temperature: z.number().min(0).max(2).optional().describe("sampling temperature (`replay` ignores it)"),
  maxTokens: z.number().int().positive().optional().describe("most tokens to generate (`replay` ignores it)"),
  seed: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("sampler seed (llamacpp, and endpoints that support `seed`; `replay` ignores it)"),
};

/** Settings of members reached over HTTP. */
const remoteMember = {
  baseURL: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL such as http://127.0.0.1:11434/v1" })
    .optional()
    .describe("API base URL; default `https://api.openai.com/v1` (openai) or `http://127.0.0.1:11434/v1` (ollama)"),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable (e.g. OPENAI_API_KEY), not a key")
    .optional()
    .describe(
      "NAME of the environment variable holding the API key, never the key itself. Default: `OPENAI_API_KEY` for an `openai` member without `baseURL`; otherwise no key is sent",
    ),
};

const openaiMember = z.object({ provider: z.literal("openai"), ...commonMember, ...remoteMember }).strict();
const ollamaMember = z.object({ provider: z.literal("ollama"), ...commonMember, ...remoteMember }).strict();
const llamacppMember = z
  .object({
    provider: z.literal("llamacpp"),
    ...commonMember,
    modelPath: z
      .string()
      .min(1, "must be a GGUF file path or an hf: URI")
      .describe(
        "GGUF file (relative to the config file's folder) or an `hf:` model URI. Members on the same file share one loaded model, each call on its own context sequence",
      ),
    contextSize: z.number().int().min(32).optional().describe("tokens per context sequence (default 2048)"),
    threads: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        "CPU threads of the shared context (default: min(2, half the cores), at least 1, so a busy machine still answers; 0: node-llama-cpp chooses (all cores); `init --template llamacpp` writes half the cores, at most 8)",
      ),
    downloadTimeoutMs: z
      .number()
      .int()
      .positive()
      .optional()
      .describe(
        "milliseconds an `hf:`/`https:` model's server has to answer before the download is given up (default 30000)",
      ),
  })
  .strict();
const replayMember = z
  .object({
    provider: z.literal("replay"),
    ...commonMember,
    recordedFile: z
      .string()
      .min(1)
      .optional()
      .describe(
        "recorded JSONL file (relative to the config file's folder); default `$PYRAMID_DATA_DIR/recorded/gsm8k.jsonl` (`../shared/data` by default)",
      ),
  })
  .strict();

/** zod schema of one member of a config tier. */
export const memberConfigSchema = z
  .discriminatedUnion("provider", [llamacppMember, openaiMember, ollamaMember, replayMember])
  .meta({ title: "member" });

/** zod schema of a policy in the config file: an object policy or a preset name. */
export const policyConfigSchema = policyInputSchema;

/** zod schema of one tier of the config file. Each field's `describe` text is its row in docs/config.md. */
export const tierConfigSchema = z
  .object({
    name: z
      .string()
      .min(1, "must be a non-empty tier name")
      .describe("shown in traces and costs (`crowd`, `8B`, `70B`, ...)"),
    members: z.array(memberConfigSchema).min(1, "needs at least one member").describe("the tier's models"),
    router: z
      .string()
      .min(1)
      .optional()
      .describe("path of this tier's own router file, judging its answer (default: the top-level `router`)"),
    policy: policyConfigSchema
      .optional()
      .describe("this tier's own escalation policy, as the top-level `policy` (default: the top-level `policy`)"),
    schedule: pyramidSettingsSchema.shape.schedule.describe(
      "how this tier calls its members: `parallel`, `anytime` or `waves` (default: the top-level `schedule`)",
    ),
    speculative: pyramidSettingsSchema.shape.speculative.describe(
      "start the next tier at this tier's first disagreement (default: the top-level `speculative`)",
    ),
  })
  .strict()
  .meta({ title: "tier" });

/**
 * zod schema of `pyramid.config.json` / `pyramid.config.yaml`: the pyramid settings shared with `PyramidOptions`
 * (`pyramidSettingsSchema`: policy, mode, task, timeouts, retries, lookahead, ...) plus tiers of provider
 * members, router files, a budget description and tenants. Each field's `describe` text is its row in docs/config.md.
 */
export const pyramidConfigSchema = pyramidSettingsSchema
  .extend({
    /** Optional JSON-schema pointer, ignored. */
    $schema: z.string().optional(),
    tiers: z
      .array(tierConfigSchema)
      .min(2, "needs at least two tiers (a crowd and an apex)")
      .describe("the pyramid, cheapest tier first; the last tier is the apex"),
    router: z
      .string()
      .min(1)
      .optional()
      .describe(
        "path of the router file (a `pyramid-moa train` bundle or a bare XGBoost JSON model) used at every tier boundary (default: vote agreement, `P_fail = 1 - vote share`)",
      ),
    budget: budgetConfigSchema
      .optional()
      .describe(
        "escalation budget (default: none): `limitUsd` per `window` (`day`, `month` (UTC) or `total`, the default); with `redis: \"redis://host:6379/0\"` every process using that Redis shares it (and the tenants' budgets and rate limits); `redisEnv: REDIS_URL` reads that URL (with its password) from an environment variable instead (not both); `reservationTtlMs`: how long the reservation of a process that died mid-call holds (default: the apex's worst-case call + 10 s); `journal`: a local file where spend Redis could not record is kept (fsynced) and settled once Redis returns; `failOpen: true` admits requests when Redis is unreachable (default: 503 with `retry-after`). See docs/server.md and docs/ledger.md",
      ),
    tenants: tenantsConfigSchema
      .optional()
      .describe(
        "(`serve`; default: none) API keys, read from the environment variables `keyEnv`, mapped to tenants with a budget (402 once spent), requests, tokens and feedback posts per minute (429; feedback defaults to `requestsPerMinute`); names and variables distinct",
      ),
  })
  .strict();

/** One member of a config tier (validated). */
export type MemberConfig = z.output<typeof memberConfigSchema>;
/** One tier of the config file (validated). */
export type TierConfig = z.output<typeof tierConfigSchema>;
/** A validated pyramid config file. */
export type PyramidConfig = z.output<typeof pyramidConfigSchema>;
/** A pyramid config as written (before validation). */
export type PyramidConfigInput = z.input<typeof pyramidConfigSchema>;
