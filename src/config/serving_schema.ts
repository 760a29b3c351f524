import { z } from "zod";
import { BUDGET_WINDOWS } from "../cost/budget_api.js";

const envName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable (e.g. TEAM_A_KEY), not a key");

/** zod schema of a Redis URL (`redis://` or `rediss://`). */
export const redisUrlSchema = z
  .string()
  .regex(/^rediss?:\/\/[^\s]+$/, "must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379/0");

/** zod schema of the config's `budget`: a limit on escalation spending, shared across processes with `redis`. */
export const budgetConfigSchema = z
  .object({
    /** USD the pyramid may spend per window; once spent it stops escalating. */
    limitUsd: z.number().nonnegative("must be a number of USD >= 0").max(9e6, "must be at most 9,000,000 USD"),
    /** `day` / `month` (UTC calendar) or `total` (default). */
    window: z.enum(BUDGET_WINDOWS).optional(),
    /** A `redis://` URL: the budget (and the tenants' budgets and rate limits) shared by every process using it. */
    redis: redisUrlSchema.optional(),
    /**
     * NAME of the environment variable holding that URL instead (so that a Redis password stays out of the file),
     * e.g. `REDIS_URL`; read when the pyramid is built.
     */
    redisEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be the NAME of an environment variable (e.g. REDIS_URL), not a URL")
      .optional(),
    /** How long a reservation survives a process that died mid-call (default: the apex's worst-case call + 10 s). */
    reservationTtlMs: z.number().int().positive().optional(),
    /**
     * With `redis`: a local file where spend that could not be recorded in Redis (Redis down) is journaled and from
     * which it is settled once Redis returns (a cluster worker appends `.w<id>`: one file per process).
     */
    journal: z.string().min(1).optional(),
    /**
     * With `redis`: when the budget store cannot be reached, admit requests anyway (`true`) instead of refusing them
     * with 503 and `retry-after` (`false`, the default: fail closed).
     */
    failOpen: z.boolean().optional(),
  })
  .strict()
  .refine((budget) => budget.redis === undefined || budget.redisEnv === undefined, {
    path: ["redisEnv"],
    message: "give either redis (the URL) or redisEnv (the variable holding it), not both",
  });

/** zod schema of one entry of the config's `tenants`. */
export const tenantConfigSchema = z
  .object({
    /** Tenant name, in metrics, traces and Redis keys. */
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '_', '.' or '-'"),
    /** NAME of the environment variable holding the tenant's API key (the bearer token its clients send). */
    keyEnv: envName,
    /** USD the tenant may spend per `budget.window` (crowd and escalations); at 0 left its requests get 402. */
    budgetUsd: z
      .number()
      .nonnegative("must be a number of USD >= 0")
      .max(9e6, "must be at most 9,000,000 USD")
      .optional(),
    /** Requests per minute (429 beyond). */
    requestsPerMinute: z.number().int("must be a whole number").positive("must be > 0").optional(),
    /** Tokens (prompt + completion over every member) per minute (429 once in debt). */
    tokensPerMinute: z.number().int("must be a whole number").positive("must be > 0").optional(),
    /** `POST /v1/feedback` posts per minute (429 beyond); default `requestsPerMinute`. */
    feedbackPerMinute: z.number().int("must be a whole number").positive("must be > 0").optional(),
  })
  .strict();

/** zod schema of the config's `tenants`: distinct names and key variables. */
export const tenantsConfigSchema = z
  .array(tenantConfigSchema)
  .min(1, "list at least one tenant, or remove tenants")
  .superRefine((tenants, ctx) => {
    for (const field of ["name", "keyEnv"] as const) {
      const seen = new Set<string>();
      tenants.forEach((tenant, i) => {
        if (seen.has(tenant[field]))
          ctx.addIssue({ code: "custom", path: [i, field], message: `"${tenant[field]}" is used by two tenants` });
        seen.add(tenant[field]);
      });
    }
  });

/** The config's `budget` (validated). */
export type BudgetConfig = z.output<typeof budgetConfigSchema>;
/** One tenant of the config (validated). */
export type TenantConfig = z.output<typeof tenantConfigSchema>;
