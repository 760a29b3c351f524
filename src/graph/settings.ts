import { z } from "zod";
import { TASK_KINDS } from "../answers/types.js";
import { codeBehaviourOptionsSchema } from "../features/behaviour/options.js";
import { decisionPolicySchema } from "../policy/decision.js";
import { lookaheadOptionsSchema } from "../policy/lookahead.js";

/** zod schema of a policy as written: a `DecisionPolicy` object or the name of a router preset. */
export const policyInputSchema = z.union([decisionPolicySchema, z.string().min(1, "must be a non-empty preset name")]);

/** zod schema of a generative-mode prompt template: any text with the `{candidates}` placeholder. */
export const generativeTemplateSchema = z
  .string()
  .includes("{candidates}", { message: 'must contain the "{candidates}" placeholder' });

/**
 * The pyramid's options that are plain data, as one zod schema: `PyramidOptions` (code) extends it with the chat
 * models, routers and budget objects, and `pyramid.config.json` extends it with tiers of provider members, router
 * files and a budget description. A setting added here is accepted, validated and documented in both at once.
 */
export const pyramidSettingsSchema = z.object({
  /** Escalation policy (Equation 5, a threshold, or a router preset name); default `{ threshold: 0.5 }`. */
  policy: policyInputSchema.optional(),
  /** `routing` (upper tiers see the user's messages) or `generative` (they also see the candidates). */
  mode: z.enum(["routing", "generative"]).optional(),
  /** Answer extractor used for voting: `math`, `math-latex`, `choice`, `code` or `text` (default). */
  task: z.enum(TASK_KINDS).optional(),
  /** Ask members for a self-reported confidence (a feature for the router). Default false. */
  askConfidence: z.boolean().optional(),
  /**
   * Code behavioural agreement features (`behaviour_*`: candidates run in the sandbox on the inputs of their own
   * usage examples). Default: on for `task: "code"`, unless the router was trained without them; `false` turns
   * them off, an object sets their limits.
   */
  codeBehaviour: z.union([z.boolean(), codeBehaviourOptionsSchema.omit({ pool: true })]).optional(),
  /** When every apex member fails: return the crowd's answer marked degraded (`crowd`, default) or throw. */
  onApexError: z.enum(["crowd", "throw"]).optional(),
  /** Never escalate when the query's cost would exceed this many USD. */
  maxCostPerQuery: z.number().nonnegative("must be a number of USD >= 0").optional(),
  /**
   * When `maxCostPerQuery` or `budget` refuses an escalation the policy asked for: return the lower tier's answer
   * with the reason in `decisions[].reason` (`answer`, default), or throw `BudgetExceededError` (`throw`).
   */
  onBudgetExceeded: z.enum(["answer", "throw"]).optional(),
  /** Default per-call time limit of every member, in milliseconds. */
  memberTimeoutMs: z
    .number()
    .int("must be a whole number of milliseconds")
    .positive("must be a positive number of milliseconds")
    .optional(),
  /** Default retries of every member on transient errors, 0-10. Default 0. */
  memberRetries: z.number().int().min(0).max(10, "must be at most 10 (each retry doubles the backoff)").optional(),
  /** Decide by expected value over the remaining tiers (see `LookaheadOptions`) instead of thresholds. */
  lookahead: lookaheadOptionsSchema.optional(),
  /**
   * Use a router even when the member names it was trained with (its bundle's `metadata.members`) differ from the
   * crowd's. Default false: such a router is refused, since its per-member features would mean other models.
   */
  allowRouterMemberMismatch: z.boolean().optional(),
  /** Generative-mode prompt: a template with `{candidates}` (in code, also a function of the candidates). */
  generativePrompt: generativeTemplateSchema.optional(),
});

/** The pyramid's plain-data settings, shared by `PyramidOptions` and the config file; see `pyramidSettingsSchema`. */
export type PyramidSettings = z.input<typeof pyramidSettingsSchema>;

/** The names of `pyramidSettingsSchema`'s fields. */
export const PYRAMID_SETTING_KEYS = Object.keys(pyramidSettingsSchema.shape) as readonly (keyof PyramidSettings)[];
