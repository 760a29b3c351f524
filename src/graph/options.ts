import { z } from "zod";
import { isBudget } from "../cost/budget_api.js";
import type { Budget } from "../cost/budget_api.js";
import { priceSchema } from "../cost/price.js";
import { PyramidConfigError, RouterModelError } from "../errors/index.js";
import { validationError } from "../errors/validate.js";
import { codeBehaviourOptionsSchema } from "../features/behaviour/options.js";
import { featureNamesWith } from "../features/group.js";
import { memberInputSchema } from "../members/member.js";
import type { MemberInput } from "../members/member.js";
import { distinctMemberNames } from "../members/names.js";
import { resolveMember } from "../members/resolve.js";
import { DEFAULT_POLICY, resolveThreshold } from "../policy/decision.js";
import type { DecisionPolicy } from "../policy/decision.js";
import { AgreementRouter } from "../router/agreement.js";
import { checkRouterMembers } from "../router/member_check.js";
import type { Router } from "../router/types.js";
import { resolveFeatureGroups } from "./feature_groups.js";
import { isSimilarityInput, resolveSimilarity } from "./similarity.js";
import type { SimilarityInput } from "./similarity.js";
import { semanticFeatureGroup } from "../features/semantic/group.js";
import { defaultGenerativePrompt, generativePromptFromTemplate } from "./nodes/generative_prompt.js";
import type { GenerativePrompt } from "./nodes/generative_prompt.js";
import {
  answerTaskSettingSchema,
  generativeTemplateSchema,
  policyInputSchema,
  pyramidSettingsSchema,
} from "./settings.js";
import type { AnswerKeyFunction } from "../answers/types.js";
import type { PyramidSpec, TierSpec } from "./spec.js";
import { crowdScheduleSchema } from "./schedule/schedule.js";

const router = z.custom<Router>(
  (value) => typeof value === "object" && value !== null && typeof (value as Router).predict === "function",
  { message: "expected a Router (an object with predict(features): number)" },
);
const members = z.array(memberInputSchema).min(1, "needs at least one model").readonly();

/** zod schema of {@link TierInput}. */
export const tierInputSchema = z
  .object({
    /** Tier name, shown in traces (e.g. "8B", "70B", "405B"). */
    name: z.string().min(1, "must be a non-empty tier name"),
    /** The tier's members. */
    models: members,
    /** Router judging this tier's answer; default: the pyramid's `router`. */
    router: router.optional(),
    /** Escalation policy after this tier (a policy or a preset name); default: the pyramid's `policy`. */
    policy: policyInputSchema.optional(),
    /** How this tier calls its members (`parallel`, `anytime`, `waves`); default: the pyramid's `schedule`. */
    schedule: crowdScheduleSchema.optional(),
    /** Start the next tier at this tier's first disagreement (speculative escalation); default: the pyramid's. */
    speculative: z.boolean().optional(),
  })
  .readonly();

/** A tier as given by the user. */
export type TierInput = z.input<typeof tierInputSchema>;

/**
 * zod schema of {@link PyramidOptions}: the shared plain-data settings (`pyramidSettingsSchema`, also read
 * from `pyramid.config.json`) plus what only code can give: chat models, routers, a budget object, a prompt function.
 */
export const pyramidOptionsSchema = pyramidSettingsSchema
  .extend({
    /** The crowd (tier 0): cheap models that answer every query. Two-tier shorthand, with `oracle`. */
    crowd: members.optional(),
    /** The Oracle (apex tier): one model, or several that vote. Two-tier shorthand, with `crowd`. */
    oracle: z.union([memberInputSchema, members]).optional(),
    /** N tiers from the cheapest to the apex; instead of `crowd`/`oracle`. */
    tiers: z.array(tierInputSchema).min(2, "needs at least two tiers (a crowd and an apex)").readonly().optional(),
    /** Router estimating `P_fail` at each tier boundary; default {@link AgreementRouter}. */
    router: router.optional(),
    /** USD per 1M input/output tokens, by member name. Unpriced members get a parameter-count default. */
    prices: z.record(z.string(), priceSchema.strict()).readonly().optional(),
    /**
     * Code behavioural agreement features (`behaviour_*`: candidates run in the sandbox on the inputs of their own
     * usage examples). Default: on for `task: "code"`, unless the router was trained without them; `false` turns
     * them off, an object sets their limits (and, in code, the `pool` of sandbox processes).
     */
    codeBehaviour: z.union([z.boolean(), codeBehaviourOptionsSchema]).optional(),
    /**
     * What the crowd votes on: a built-in kind, `{ field }`, `{ regex }`, `{ choice: [labels] }`, or a function
     * `(text, message) => key | null` (equal keys vote together).
     */
    task: z
      .union([
        answerTaskSettingSchema,
        z.custom<AnswerKeyFunction>((value) => typeof value === "function", {
          message: "expected a task kind, { field }, { regex }, { choice } or a function (text, message) => key | null",
        }),
      ])
      .optional(),
    /**
     * Free text voted by meaning: `"lexical"`, `"exact"`, a LangChain `Embeddings` model (cosine, one batch per
     * tier and query) or an `AnswerSimilarity` such as `judgeSimilarity(model)`; see `resolveSimilarity`.
     */
    similarity: z
      .custom<SimilarityInput>(isSimilarityInput, {
        message: 'expected "lexical", "exact", a LangChain Embeddings model or an AnswerSimilarity',
      })
      .optional(),
    /** Generative-mode prompt: a template with `{candidates}`, or a function of the candidates. */
    generativePrompt: z
      .union([
        generativeTemplateSchema,
        z.custom<GenerativePrompt>((value) => typeof value === "function", {
          message: "expected a template string or a function of the candidates",
        }),
      ])
      .optional(),
    /** A budget shared across queries (`BudgetTracker`, or `RedisBudget` across processes); escalation stops once it is spent. */
    budget: z.custom<Budget>(isBudget, { message: "expected a Budget (BudgetTracker or RedisBudget)" }).optional(),
  })
  .readonly();

/** Options of a pyramid (`buildPyramidGraph` and `PyramidChatModel`); see `pyramidOptionsSchema`. */
export type PyramidOptions = z.input<typeof pyramidOptionsSchema>;

/** Turns a zod error into a {@link PyramidConfigError} naming the first offending field. */
export function configError(error: z.ZodError, prefix = ""): PyramidConfigError {
  return validationError(error, {
    field: (path) => [prefix, path].filter(Boolean).join(".") || "options",
    fix: "see the option reference in docs/options.md",
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

/** A policy as given (an object or a preset name) as a {@link DecisionPolicy}. */
function policyOf(policy: DecisionPolicy | string | undefined): DecisionPolicy | undefined {
  return typeof policy === "string" ? { preset: policy } : policy;
}

/** Validates pyramid options and resolves them into a {@link PyramidSpec}. Errors name the field and the fix. */
export function resolvePyramidOptions(input: PyramidOptions): PyramidSpec {
  const parsed = pyramidOptionsSchema.safeParse(input);
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
  const similarity = resolveSimilarity(options);
  const featureGroups = [
    ...resolveFeatureGroups(options, [...tierInputs.slice(0, -1).map((t) => t.router ?? defaultRouter)]),
    ...(similarity ? [semanticFeatureGroup] : []),
  ];
  const defaultPolicy = policyOf(options.policy) ?? DEFAULT_POLICY;
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
    // A router above the crowd judges the pool of the tiers so far: it records their members (a router made for a
    // one-model tier, or shared by every boundary, records none and passes).
    if (!isApex && (index === 0 || (tierRouter as Router).memberNames?.length === pooled)) {
      checkRouterMembers(
        tierRouter,
        resolved.slice(0, index + 1).flatMap((tierMembers) => tierMembers.map((m) => m.name)),
        options.tiers ? `${field}.router` : "router",
        options.allowRouterMemberMismatch ?? false,
      );
    }
    return {
      name: tier.name,
      members,
      router: tierRouter,
      schedule: isApex ? "parallel" : (tier.schedule ?? options.schedule ?? "parallel"),
      // Generative mode: the next tier's prompt holds this tier's answers, so it cannot start before them.
      speculative: !isApex && options.mode !== "generative" && (tier.speculative ?? options.speculative ?? false),
      threshold: isApex
        ? 1
        : resolveThreshold(
            policyOf(tier.policy) ?? defaultPolicy,
            tierRouter,
            tier.policy ? `${field}.policy` : "policy",
          ),
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
    ...(similarity ? { similarity } : {}),
    generativePrompt,
    askConfidence: options.askConfidence ?? false,
    onApexError: options.onApexError ?? "crowd",
    maxCostPerQuery: options.maxCostPerQuery,
    budget: options.budget,
    onBudgetExceeded: options.onBudgetExceeded ?? "answer",
    lookahead: options.lookahead,
    ...(options.deadlineMs !== undefined ? { deadlineMs: options.deadlineMs } : {}),
  };
}
