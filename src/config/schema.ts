import { z } from "zod";
import { policyInputSchema, pyramidSettingsSchema } from "../graph/settings.js";
import { memberSettingsShape } from "../members/member.js";
import { budgetConfigSchema, tenantsConfigSchema } from "./serving_schema.js";

/** Providers a config member can use. */
export const PROVIDERS = ["llamacpp", "openai", "ollama", "replay"] as const;

/** A provider name: `llamacpp` (embedded GGUF), `openai` (any OpenAI-compatible endpoint), `ollama`, `replay`. */
export type Provider = (typeof PROVIDERS)[number];

/** Settings every provider accepts: the member settings shared with code (name, price, timeoutMs, retries, ...). */
const commonMember = {
  ...memberSettingsShape,
  /** The model: the API model id (openai, ollama), the recorded model name (replay), a display name (llamacpp). */
  model: z.string().min(1, "must be a non-empty model name"),
  /** Sampling temperature. */
  temperature: z.number().min(0).max(2).optional(),
  /** Maximum tokens to generate. */
  maxTokens: z.number().int().positive().optional(),
  /** Sampler seed (llamacpp, and endpoints that support `seed`). */
  seed: z.number().int().min(0).optional(),
};

/** Settings of members reached over HTTP. */
const remoteMember = {
  /** Base URL of the OpenAI-compatible API, e.g. `http://127.0.0.1:8000/v1`. */
  baseURL: z
    .url({ protocol: /^https?$/, message: "must be an http(s) URL such as http://127.0.0.1:11434/v1" })
    .optional(),
  /** NAME of the environment variable holding the API key (never the key itself). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable (e.g. OPENAI_API_KEY), not a key")
    .optional(),
};

const openaiMember = z.object({ provider: z.literal("openai"), ...commonMember, ...remoteMember }).strict();
const ollamaMember = z.object({ provider: z.literal("ollama"), ...commonMember, ...remoteMember }).strict();
const llamacppMember = z
  .object({
    provider: z.literal("llamacpp"),
    ...commonMember,
    /** GGUF file (relative to the config file's folder) or an `hf:` model URI. */
    modelPath: z.string().min(1, "must be a GGUF file path or an hf: URI"),
    /** Tokens per context sequence. */
    contextSize: z.number().int().min(32).optional(),
    /** CPU threads of the shared context. */
    threads: z.number().int().min(0).optional(),
    /** Milliseconds a model URI's server has to answer before the download is given up (default 30000). */
    downloadTimeoutMs: z.number().int().positive().optional(),
  })
  .strict();
const replayMember = z
  .object({
    provider: z.literal("replay"),
    ...commonMember,
    /** Recorded JSONL file (relative to the config file's folder); default `<dataDir>/recorded/gsm8k.jsonl`. */
    recordedFile: z.string().min(1).optional(),
  })
  .strict();

/** zod schema of one member of a config tier. */
export const memberConfigSchema = z.discriminatedUnion("provider", [
  llamacppMember,
  openaiMember,
  ollamaMember,
  replayMember,
]);

/** zod schema of a policy in the config file: an object policy or a preset name. */
export const policyConfigSchema = policyInputSchema;

/** zod schema of one tier of the config file. */
export const tierConfigSchema = z
  .object({
    name: z.string().min(1, "must be a non-empty tier name"),
    members: z.array(memberConfigSchema).min(1, "needs at least one member"),
    /** Router file judging this tier's answer (default: the top-level router). */
    router: z.string().min(1).optional(),
    /** Escalation policy after this tier (default: the top-level policy). */
    policy: policyConfigSchema.optional(),
  })
  .strict();

/**
 * zod schema of `pyramid.config.json` / `pyramid.config.yaml`: the pyramid settings shared with `PyramidOptions`
 * (`pyramidSettingsSchema`: policy, mode, task, timeouts, retries, lookahead, ...) plus tiers of provider
 * members, router files, a budget description and tenants.
 */
export const pyramidConfigSchema = pyramidSettingsSchema
  .extend({
    /** Optional JSON-schema pointer, ignored. */
    $schema: z.string().optional(),
    /** The pyramid, cheapest tier first; the last tier is the apex. */
    tiers: z.array(tierConfigSchema).min(2, "needs at least two tiers (a crowd and an apex)"),
    /** Router file (a `pyramid-moa train` bundle or a bare XGBoost JSON model) used at every tier boundary. */
    router: z.string().min(1).optional(),
    /** Escalation budget, shared across processes and machines with a redis:// URL. */
    budget: budgetConfigSchema.optional(),
    /** API keys (from environment variables) mapped to tenants with budgets and rate limits (`serve`). */
    tenants: tenantsConfigSchema.optional(),
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
