import { z } from "zod";
import { TASK_KINDS } from "../answers/types.js";
import { priceSchema } from "../cost/price.js";
import { decisionPolicySchema } from "../policy/decision.js";
import { codeBehaviourOptionsSchema } from "../features/behaviour/options.js";
import { budgetConfigSchema, tenantsConfigSchema } from "./serving_schema.js";

/** Providers a config member can use. */
export const PROVIDERS = ["llamacpp", "openai", "ollama", "replay"] as const;

/** A provider name: `llamacpp` (embedded GGUF), `openai` (any OpenAI-compatible endpoint), `ollama`, `replay`. */
export type Provider = (typeof PROVIDERS)[number];

const price = priceSchema.strict();

/** Settings every provider accepts. */
const commonMember = {
  /** Name in traces, prices and router feature positions; default: `model`. */
  name: z.string().min(1).optional(),
  /** The model: the API model id (openai, ollama), the recorded model name (replay), a display name (llamacpp). */
  model: z.string().min(1, "must be a non-empty model name"),
  /** USD per 1M input/output tokens. */
  price: price.optional(),
  /** Per-call time limit in milliseconds. */
  timeoutMs: z.number().int().positive().optional(),
  /** Retries on transient errors (429, 5xx, network, timeout). */
  retries: z.number().int().min(0).max(10).optional(),
  /** At most this many calls of this member at once. */
  maxConcurrency: z.number().int().positive().optional(),
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
export const policyConfigSchema = z.union([decisionPolicySchema, z.string().min(1)]);

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

/** zod schema of `pyramid.config.json` / `pyramid.config.yaml`. */
export const pyramidConfigSchema = z
  .object({
    /** Optional JSON-schema pointer, ignored. */
    $schema: z.string().optional(),
    tiers: z.array(tierConfigSchema).min(2, "needs at least two tiers (a crowd and an apex)"),
    router: z.string().min(1).optional(),
    policy: policyConfigSchema.optional(),
    mode: z.enum(["routing", "generative"]).optional(),
    task: z.enum(TASK_KINDS).optional(),
    askConfidence: z.boolean().optional(),
    codeBehaviour: z.union([z.boolean(), codeBehaviourOptionsSchema.omit({ pool: true })]).optional(),
    onApexError: z.enum(["crowd", "throw"]).optional(),
    maxCostPerQuery: z.number().nonnegative().optional(),
    onBudgetExceeded: z.enum(["answer", "throw"]).optional(),
    generativePrompt: z
      .string()
      .includes("{candidates}", { message: 'must contain the "{candidates}" placeholder' })
      .optional(),
    /** Use a router trained for other member names (default false: refused, listing both). */
    allowRouterMemberMismatch: z.boolean().optional(),
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
