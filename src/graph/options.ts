import { z } from "zod";
import { TASK_KINDS } from "../answers/types.js";
import type { TaskKind } from "../answers/types.js";
import { isBudget } from "../cost/budget_api.js";
import type { Budget } from "../cost/budget_api.js";
import { priceSchema } from "../cost/price.js";
import type { Price } from "../cost/price.js";
import { PyramidConfigError, RouterModelError } from "../errors/index.js";
import { featureNamesWith } from "../features/group.js";
import { resolveFeatureGroups } from "./feature_groups.js";
import type { CodeBehaviourOptions } from "../features/behaviour/options.js";
import type { MemberInput } from "../members/member.js";
import { distinctMemberNames } from "../members/names.js";
import { isChatRunnable, resolveMember } from "../members/resolve.js";
import { defaultGenerativePrompt, generativePromptFromTemplate } from "./nodes/generative_prompt.js";
import type { GenerativePrompt } from "./nodes/generative_prompt.js";
import { DEFAULT_POLICY, decisionPolicySchema, resolveThreshold } from "../policy/decision.js";
import type { DecisionPolicy } from "../policy/decision.js";
import { AgreementRouter } from "../router/agreement.js";
import { checkRouterMembers } from "../router/member_check.js";
import type { Router } from "../router/types.js";
import type {
  ApexErrorPolicy,
  BudgetExceededPolicy,
  LookaheadOptions,
  PyramidMode,
  PyramidSpec,
  TierSpec,
} from "./spec.js";
import { tierEstimateSchema } from "../policy/lookahead.js";
import { validationError } from "../errors/validate.js";

/** A tier as given by the user. */
export interface TierInput {
  /** Tier name, shown in traces (e.g. "8B", "70B", "405B"). */
  readonly name: string;
  /** The tier's members. */
  readonly models: readonly MemberInput[];
  /** Router judging this tier's answer; default: the pyramid's `router`. */
  readonly router?: Router;
  /** Escalation policy after this tier; default: the pyramid's `policy`. */
  readonly policy?: DecisionPolicy;
}

/** Options of a pyramid (`buildPyramidGraph` and `PyramidChatModel`). */
export interface PyramidOptions {
  /** The crowd (tier 0): cheap models that answer every query. Two-tier shorthand, with `oracle`. */
  readonly crowd?: readonly MemberInput[];
  /** The Oracle (apex tier): one model, or several that vote. Two-tier shorthand, with `crowd`. */
  readonly oracle?: MemberInput | readonly MemberInput[];
  /** N tiers from the cheapest to the apex; instead of `crowd`/`oracle`. */
  readonly tiers?: readonly TierInput[];
  /** Router estimating `P_fail` at each tier boundary; default {@link AgreementRouter}. */
  readonly router?: Router;
  /** Escalation policy (Equation 5, a threshold, or a router preset name); default `{ threshold: 0.5 }`. */
  readonly policy?: DecisionPolicy | string;
  /** `routing` (upper tiers see the user's messages) or `generative` (they also see the candidates). */
  readonly mode?: PyramidMode;
  /** Answer extractor used for voting: `math`, `choice`, `code` or `text` (default). */
  readonly task?: TaskKind;
  /**
   * Code behavioural agreement features (`behaviour_*`: candidates run in the sandbox on the inputs of their own
   * usage examples). Default: on for `task: "code"`, unless the router was trained without them; `false` turns
   * them off, an object sets their limits.
   */
  readonly codeBehaviour?: boolean | CodeBehaviourOptions;
  /** USD per 1M input/output tokens, by member name. Unpriced members get a parameter-count default. */
  readonly prices?: Readonly<Record<string, Price>>;
  /** Generative-mode prompt: a template with `{candidates}`, or a function of the candidates. */
  readonly generativePrompt?: string | GenerativePrompt;
  /** Ask members for a self-reported confidence (a feature for the router). Default false. */
  readonly askConfidence?: boolean;
  /** When every apex member fails: return the crowd's answer marked degraded (`crowd`, default) or throw. */
  readonly onApexError?: ApexErrorPolicy;
  /** Never escalate when the query's cost would exceed this many USD. */
  readonly maxCostPerQuery?: number;
  /** A budget shared across queries (`BudgetTracker`, or `RedisBudget` across processes); escalation stops once it is spent. */
  readonly budget?: Budget;
  /**
   * When `maxCostPerQuery` or `budget` refuses an escalation the policy asked for: return the lower tier's answer
   * with the reason in `decisions[].reason` (`answer`, default), or throw `BudgetExceededError` (`throw`).
   */
  readonly onBudgetExceeded?: BudgetExceededPolicy;
  /** Default per-call time limit of every member, in milliseconds. */
  readonly memberTimeoutMs?: number;
  /** Default retries of every member on transient errors. Default 0. */
  readonly memberRetries?: number;
  /** Decide by expected value over the remaining tiers (see {@link LookaheadOptions}) instead of thresholds. */
  readonly lookahead?: LookaheadOptions;
  /**
   * Use a router even when the member names it was trained with (its bundle's `metadata.members`) differ from the
   * crowd's. Default false: such a router is refused, since its per-member features would mean other models.
   */
  readonly allowRouterMemberMismatch?: boolean;
}

const member = z.union([
  z.custom<MemberInput>(isChatRunnable, { message: "expected a LangChain chat model" }),
  z
    .object({
      name: z.string().min(1).optional(),
      model: z.custom<MemberInput>(isChatRunnable, { message: "expected a LangChain chat model" }),
      price: priceSchema.optional(),
      timeoutMs: z.number().positive().optional(),
      retries: z.number().int().min(0).optional(),
      backoffMs: z.number().min(0).optional(),
      jitter: z.boolean().optional(),
      maxConcurrency: z.number().int().positive().optional(),
    })
    .strict(),
]);
const router = z.custom<Router>(
  (value) => typeof value === "object" && value !== null && typeof (value as Router).predict === "function",
  { message: "expected a Router (an object with predict(features): number)" },
);
const members = z.array(member).min(1, "needs at least one model");

const optionsSchema = z.object({
  crowd: members.optional(),
  oracle: z.union([member, members]).optional(),
  tiers: z
    .array(
      z.object({
        name: z.string().min(1),
        models: members,
        router: router.optional(),
        policy: decisionPolicySchema.optional(),
      }),
    )
    .min(2, "needs at least two tiers (a crowd and an apex)")
    .optional(),
  router: router.optional(),
  policy: z.union([decisionPolicySchema, z.string().min(1)]).optional(),
  mode: z.enum(["routing", "generative"]).optional(),
  task: z.enum(TASK_KINDS).optional(),
  codeBehaviour: z.union([z.boolean(), z.record(z.string(), z.unknown())]).optional(),
  prices: z.record(z.string(), priceSchema).optional(),
  generativePrompt: z
    .union([
      z.string().includes("{candidates}", { message: 'must contain the "{candidates}" placeholder' }),
      z.function(),
    ])
    .optional(),
  askConfidence: z.boolean().optional(),
  onApexError: z.enum(["crowd", "throw"]).optional(),
  maxCostPerQuery: z.number().nonnegative().optional(),
  budget: z.custom<Budget>(isBudget, { message: "expected a Budget (BudgetTracker or RedisBudget)" }).optional(),
  onBudgetExceeded: z.enum(["answer", "throw"]).optional(),
  memberTimeoutMs: z.number().positive().optional(),
  memberRetries: z.number().int().min(0).optional(),
  allowRouterMemberMismatch: z.boolean().optional(),
  lookahead: z
    .object({
      utility: z.number().positive(),
      tiers: z.array(tierEstimateSchema).min(1),
      rule: z.enum(["optimal", "myopic"]).optional(),
    })
    .optional(),
});

/** Turns a zod error into a {@link PyramidConfigError} naming the first offending field. */
export function configError(error: z.ZodError, prefix = ""): PyramidConfigError {
  return validationError(error, {
    field: (path) => [prefix, path].filter(Boolean).join(".") || "options",
    fix: "see the option reference in the README",
  });
}

function checkFeatureNames(routerToCheck: Router, expected: readonly string[], field: string): void {
  const names = routerToCheck.featureNames;
  if (!names) return;
  const length = Math.max(names.length, expected.length);
  for (let i = 0; i < length; i++) {
    if (names[i] !== expected[i]) {
      throw new RouterModelError(
        `the router was trained on different features: position ${i} is "${names[i] ?? "(none)"}" in the router but "${expected[i] ?? "(none)"}" in this pyramid`,
        {
          field,
          fix: names[i]?.startsWith("behaviour_")
            ? 'this router was trained with the code behavioural features: use it with task: "code" (and codeBehaviour on)'
            : "use a router trained for a tier of this size, or retrain it on traces of this pyramid",
        },
      );
    }
  }
}

/** Validates pyramid options and resolves them into a {@link PyramidSpec}. Errors name the field and the fix. */
export function resolvePyramidOptions(input: PyramidOptions): PyramidSpec {
  const parsed = optionsSchema.safeParse(input);
  if (!parsed.success) throw configError(parsed.error);
  const options = input;
  if (options.tiers && (options.crowd || options.oracle)) {
    throw new PyramidConfigError("give either tiers or crowd/oracle, not both", {
      field: "tiers",
      fix: "move the crowd and the oracle into tiers[0] and the last tier",
    });
  }
  const tierInputs: readonly TierInput[] =
    options.tiers ??
    (() => {
      if (!options.crowd)
        throw new PyramidConfigError("is required", { field: "crowd", fix: "give crowd: [model, ...] or tiers" });
      if (!options.oracle)
        throw new PyramidConfigError("is required", { field: "oracle", fix: "give oracle: model, or tiers" });
      const apex = Array.isArray(options.oracle) ? options.oracle : [options.oracle as MemberInput];
      return [
        { name: "crowd", models: options.crowd },
        { name: "oracle", models: apex },
      ];
    })();
  const prices = options.prices ?? {};
  const defaultRouter = options.router ?? new AgreementRouter();
  const featureGroups = resolveFeatureGroups(options, [
    ...tierInputs.slice(0, -1).map((t) => t.router ?? defaultRouter),
  ]);
  const defaultPolicy: DecisionPolicy =
    typeof options.policy === "string" ? { preset: options.policy } : (options.policy ?? DEFAULT_POLICY);
  const defaults = { timeoutMs: options.memberTimeoutMs, retries: options.memberRetries };
  let pooled = 0;
  const resolved = distinctMemberNames(
    tierInputs.map((tier) => tier.models.map((m) => resolveMember(m, prices, defaults))),
  );
  const tiers: TierSpec[] = tierInputs.map((tier, index) => {
    const field = options.tiers ? `tiers.${index}` : index === 0 ? "crowd" : "oracle";
    const tierRouter = tier.router ?? defaultRouter;
    pooled += tier.models.length;
    const isApex = index === tierInputs.length - 1;
    if (!isApex)
      checkFeatureNames(
        tierRouter,
        featureNamesWith(pooled, featureGroups),
        options.tiers ? `${field}.router` : "router",
      );
    const members = resolved[index];
    if (!isApex && index === 0) {
      checkRouterMembers(
        tierRouter,
        members.map((m) => m.name),
        options.tiers ? `${field}.router` : "router",
        options.allowRouterMemberMismatch ?? false,
      );
    }
    return {
      name: tier.name,
      members,
      router: tierRouter,
      threshold: isApex
        ? 1
        : resolveThreshold(tier.policy ?? defaultPolicy, tierRouter, tier.policy ? `${field}.policy` : "policy"),
    };
  });
  if (options.lookahead && options.lookahead.tiers.length !== tiers.length - 1) {
    throw new PyramidConfigError(
      `has ${options.lookahead.tiers.length} tier estimates but the pyramid has ${tiers.length - 1} tiers above the crowd`,
      { field: "lookahead.tiers", fix: "give one { cost, accuracy } estimate per tier above the crowd, in order" },
    );
  }
  const generativePrompt =
    typeof options.generativePrompt === "function"
      ? options.generativePrompt
      : typeof options.generativePrompt === "string"
        ? generativePromptFromTemplate(options.generativePrompt)
        : defaultGenerativePrompt;
  return {
    tiers,
    mode: options.mode ?? "routing",
    task: options.task ?? "text",
    featureGroups,
    generativePrompt,
    askConfidence: options.askConfidence ?? false,
    onApexError: options.onApexError ?? "crowd",
    maxCostPerQuery: options.maxCostPerQuery,
    budget: options.budget,
    onBudgetExceeded: options.onBudgetExceeded ?? "answer",
    lookahead: options.lookahead,
  };
}
