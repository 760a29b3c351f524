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
 * files and a budget description. A setting added here is accepted, validated and documented in both at once: each
 * field's `describe` text is its row in docs/config.md (`scripts/config_table.ts`).
 */
export const pyramidSettingsSchema = z.object({
  policy: policyInputSchema
    .optional()
    .describe(
      "when to escalate: `{ threshold }`: `P_fail > threshold`; `{ costBarrier, oracleAccuracy }` (Equation 5): `P_fail > costBarrier + (1 - oracleAccuracy)`; a preset name or `{ preset }` (`economy`, `balanced`, `baseline-match`) needs a router file that stores it (default `{ threshold: 0.5 }`)",
    ),
  mode: z
    .enum(["routing", "generative"])
    .optional()
    .describe(
      "upper tiers see the user's messages (`routing`, the default) or also the crowd's candidate answers (`generative`)",
    ),
  task: answerTaskSettingSchema
    .optional()
    .describe(
      "how answers are extracted and compared for the vote: a built-in kind, or a user-defined key `{ field }` (a JSON field of the output), `{ regex, flags? }` (its first capture group), `{ choice: [labels] }` ([answer keys](answer-keys.md); default `text`)",
    ),
  similarity: z
    .enum(["lexical", "exact"])
    .optional()
    .describe(
      "free text voted by meaning (`task: text` or `short-answer`): `lexical` clusters answers by token F1 (no model; the default of `short-answer`), `exact` compares exact keys (the default of `text`); in code, also an `Embeddings` model or a judge (see [answer keys](answer-keys.md))",
    ),
  similarityThreshold: z
    .number()
    .min(0, "must be between 0 and 1")
    .max(1, "must be between 0 and 1")
    .optional()
    .describe("answers at least this similar are one answer (default: lexical 0.5, embeddings 0.85)"),
  askConfidence: z
    .boolean()
    .optional()
    .describe("ask members for a self-reported confidence (a router feature; default `false`)"),
  codeBehaviour: z
    .union([z.boolean(), codeBehaviourOptionsSchema.omit({ pool: true })])
    .optional()
    .describe(
      "code behavioural agreement features (`behaviour_*`: candidates run in the sandbox on the inputs of their own usage examples; [code-behaviour.md](code-behaviour.md)): on for `task: code` unless the router was trained without them (`claims` likewise); `false` turns them off, an object sets their limits",
    ),
  unsafeAllowUnsandboxedCode: z
    .boolean()
    .optional()
    .describe(
      "with `task: code`, run the candidates' code (code behaviour features) even when bubblewrap is missing or cannot create its namespaces; by default (`false`) the pyramid refuses to build, naming how to install bubblewrap. UNSAFE: the code then runs without an OS sandbox and can read files, use the network and write wherever its uid may (see [sandbox.md](sandbox.md)); `serve --unsafe-allow-unsandboxed-code` sets it",
    ),
  onApexError: z
    .enum(["crowd", "throw"])
    .optional()
    .describe(
      "when every apex member fails: return the lower tier's answer marked `degraded` (`crowd`, the default) or throw",
    ),
  maxCostPerQuery: z
    .number()
    .nonnegative("must be a number of USD >= 0")
    .optional()
    .describe("never escalate a query whose cost would exceed this many USD (default: no limit)"),
  onBudgetExceeded: z
    .enum(["answer", "throw"])
    .optional()
    .describe(
      "when `maxCostPerQuery` or `budget` refuses an escalation the policy asked for: keep the lower tier's answer with the reason in `decisions[].reason` (`answer`, the default), or throw `BudgetExceededError` (`throw`; `serve` answers 402)",
    ),
  memberTimeoutMs: z
    .number()
    .int("must be a whole number of milliseconds")
    .positive("must be a positive number of milliseconds")
    .optional()
    .describe(
      "per-call time limit in milliseconds of every member that sets no `timeoutMs` (default 600000: 10 minutes)",
    ),
  memberRetries: z
    .number()
    .int()
    .min(0)
    .max(10, "must be at most 10 (each retry doubles the backoff)")
    .optional()
    .describe("retries on transient errors of every member that sets no `retries` (default 0)"),
  lookahead: lookaheadOptionsSchema
    .optional()
    .describe(
      "decide by expected value over the remaining tiers (one estimate per tier above the crowd; `rule`: `optimal` or `myopic`; see `LookaheadOptions`) instead of each boundary's threshold (default: none)",
    ),
  allowRouterMemberMismatch: z
    .boolean()
    .optional()
    .describe(
      "use a router whose bundle was trained for other member names (`metadata.members`); by default (`false`) such a router is refused with an error listing both, since its per-member features would mean other models (the same members in another order are always refused)",
    ),
  schedule: crowdScheduleSchema
    .optional()
    .describe(
      "how every tier below the apex calls its members (a tier's own `schedule` overrides it): `parallel` (the default: all at once, wait for all), `anytime` (all at once, decide as soon as the answers in hand settle the decision, cancel the rest) or `waves` (cheapest first, a majority then one at a time, until settled; see [anytime.md](anytime.md))",
    ),
  speculative: z
    .boolean()
    .optional()
    .describe(
      "speculative escalation for every tier below the apex (a tier's own `speculative` overrides it): the next tier starts at the tier's first disagreement (two different answers in hand, or a member without one) and is cancelled, charged as far as its calls streamed, when the tier does not escalate (routing mode; default `false`; see [anytime.md](anytime.md))",
    ),
  deadlineMs: z
    .number()
    .int("must be a whole number of milliseconds")
    .positive("must be a positive number of milliseconds")
    .optional()
    .describe(
      "answer within this many milliseconds of the query's start (per call: the `deadlineMs` call option): when it passes, the pyramid returns the best answer it holds (the apex's if it arrived, else the majority of the crowd's answers so far) with `deadline: true` and the members and tiers it cut in its metadata (default: none)",
    ),
  generativePrompt: generativeTemplateSchema
    .optional()
    .describe(
      "the generative-mode prompt template (sent as a user-role message after the conversation, never in the system message; in code, also a function of the candidates; default: built-in)",
    ),
});

/** The pyramid's plain-data settings, shared by `PyramidOptions` and the config file; see `pyramidSettingsSchema`. */
export type PyramidSettings = z.input<typeof pyramidSettingsSchema>;

/** The names of `pyramidSettingsSchema`'s fields. */
export const PYRAMID_SETTING_KEYS = Object.keys(pyramidSettingsSchema.shape) as readonly (keyof PyramidSettings)[];
