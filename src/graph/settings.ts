import { z } from "zod";
import { compileRegexKey } from "../answers/key_forms.js";
import { TASK_KINDS } from "../answers/types.js";
import { codeBehaviourOptionsSchema } from "../features/behaviour/options.js";
import { decisionPolicySchema } from "../policy/decision.js";
import { lookaheadOptionsSchema } from "../policy/lookahead.js";
import { crowdScheduleSchema } from "./schedule/schedule.js";

/**
 * zod schema of a task as plain data: a built-in kind, `{ field }` (a JSON field of the output), `{ regex, flags? }`
 * (its first capture group) or `{ choice: [labels] }`. Code may also give a key function (`PyramidOptions.task`).
 */
export const answerTaskSettingSchema = z.union([
  z.enum(TASK_KINDS),
  z.object({ field: z.string().min(1, "must name a JSON field (or a dotted path)") }).strict(),
  z
    .object({ regex: z.string().min(1, "must be a regular expression"), flags: z.string().optional() })
    .strict()
    .superRefine((key, context) => {
      try {
        compileRegexKey(key);
      } catch (error) {
        context.addIssue({ code: "custom", message: error instanceof Error ? error.message : String(error) });
      }
    }),
  z.object({ choice: z.array(z.string().min(1)).min(2, "needs at least two labels").readonly() }).strict(),
]);

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
  /**
   * What the crowd votes on: `math`, `math-latex`, `choice` (A-J), `code`, `text` (default), `short-answer`, or a
   * user-defined key `{ field }`, `{ regex }`, `{ choice: [labels] }` (see `answerTaskSettingSchema`).
   */
  task: answerTaskSettingSchema.optional(),
  /**
   * Free text voted by meaning (`task: "text"` or `"short-answer"`): `lexical` (token F1, no model; the default of
   * `short-answer`) or `exact` (exact keys; the default of `text`). In code, also an `Embeddings` model or a judge.
   */
  similarity: z.enum(["lexical", "exact"]).optional(),
  /** Similarity at or above which two answers are one (default: lexical 0.5, embeddings 0.85). */
  similarityThreshold: z.number().min(0, "must be between 0 and 1").max(1, "must be between 0 and 1").optional(),
  /** Ask members for a self-reported confidence (a feature for the router). Default false. */
  askConfidence: z.boolean().optional(),
  /**
   * Code behavioural agreement features (`behaviour_*`: candidates run in the sandbox on the inputs of their own
   * usage examples). Default: on for `task: "code"`, unless the router was trained without them; `false` turns
   * them off, an object sets their limits.
   */
  codeBehaviour: z.union([z.boolean(), codeBehaviourOptionsSchema.omit({ pool: true })]).optional(),
  /**
   * Run model-written code (the code behaviour features) without an OS sandbox when bubblewrap is unavailable.
   * Default false: such runs are refused (the features are then unknown) with an error naming how to install
   * bubblewrap. Unsafe: the code can read files, use the network and write wherever its uid may. See docs/sandbox.md.
   */
  unsafeAllowUnsandboxedCode: z.boolean().optional(),
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
  /**
   * How every tier below the apex calls its members (a tier's own `schedule` overrides it): `parallel` (default: all
   * at once, wait for all), `anytime` (all at once, decide as soon as the answers in hand settle the decision, cancel
   * the rest) or `waves` (cheapest first, a majority then one at a time, until settled). See docs/anytime.md.
   */
  schedule: crowdScheduleSchema.optional(),
  /**
   * Speculative escalation for every tier below the apex (a tier's own `speculative` overrides it): the next tier
   * starts at the tier's first disagreement (two different answers in hand, or a member without one) and is cancelled,
   * charged as far as its calls went, when the tier decides not to escalate. Routing mode only. See docs/anytime.md.
   */
  speculative: z.boolean().optional(),
  /**
   * Answer within this many milliseconds of the query's start (per call: the `deadlineMs` call option): when it
   * passes, the pyramid returns the best answer it holds (the apex's if it arrived, else the majority of the crowd's
   * answers so far) with `deadline: true` and the members and tiers it cut in its metadata.
   */
  deadlineMs: z
    .number()
    .int("must be a whole number of milliseconds")
    .positive("must be a positive number of milliseconds")
    .optional(),
  /** Generative-mode prompt: a template with `{candidates}` (in code, also a function of the candidates). */
  generativePrompt: generativeTemplateSchema.optional(),
});

/** The pyramid's plain-data settings, shared by `PyramidOptions` and the config file; see `pyramidSettingsSchema`. */
export type PyramidSettings = z.input<typeof pyramidSettingsSchema>;

/** The names of `pyramidSettingsSchema`'s fields. */
export const PYRAMID_SETTING_KEYS = Object.keys(pyramidSettingsSchema.shape) as readonly (keyof PyramidSettings)[];
