import type { ControlledEvaluateInputItem, Token } from "node-llama-cpp";
import { sampleToken, type SamplerSettings, type SeededRandom, type TokenLogit } from "../sampling.js";
import type { ConstrainedPlan, GrammarTokenConstraint } from "./token_constraint.js";

/** What `controlledEvaluate` is asked to return for the next token. */
export type NextTokenRequest = NonNullable<Extract<ControlledEvaluateInputItem, unknown[]>[1]["generateNext"]>;

/** What llama.cpp returned for the next token (the `next` of a `controlledEvaluate` result). */
export interface NextTokenOutput {
  logits?: Map<Token, number>;
  totalLogitWeight?: number;
}

/** A chosen token with what its log-probability entry needs. */
export interface ConstrainedChoice {
  /** The token. */
  token: Token;
  /** Its log-probability under the model's full distribution (the grammar restricts the choice, not the probabilities). */
  logprob: number;
  /** The most likely tokens of the full distribution, by decreasing logit (for `top_logprobs`). */
  top: TokenLogit<Token>[];
  /** `maxLogit + ln(sum(exp(logit - maxLogit)))` over the whole vocabulary. */
  logNormalizer: number;
}

/** Candidates asked for when most tokens are allowed. */
const TOP_CANDIDATES = 64;

/** The request for a constrained step: raw logits of the allowed or top tokens, plus the full-vocabulary weight. */
export function constrainedRequest(
  plan: ConstrainedPlan,
  settings: SamplerSettings & { topLogprobs: number },
): NextTokenRequest {
  const base = { token: true, options: { temperature: 0 }, totalLogitWeight: true } as const;
  const includeTop = Math.max(1, settings.topLogprobs);
  switch (plan.kind) {
    case "all":
      return { ...base, logits: true };
    case "tokens":
      return { ...base, logits: { filter: { tokens: plan.tokens, includeTop } } };
    case "top":
      return {
        ...base,
        logits: { filter: { tokens: [], includeTop: Math.max(TOP_CANDIDATES, includeTop, settings.topK) } },
      };
  }
}

/**
 * Picks the next token among those the grammar allows (temperature, top-k and top-p apply to the allowed
 * tokens), or returns null when none of the returned candidates is allowed (the caller then asks for the whole
 * vocabulary). With the whole vocabulary, candidates are read in llama.cpp's order (by decreasing logit) and
 * reading stops once enough allowed tokens are found.
 */
export function chooseConstrained(
  next: NextTokenOutput | undefined,
  plan: ConstrainedPlan,
  constraint: GrammarTokenConstraint,
  settings: SamplerSettings & { topLogprobs: number },
  random: SeededRandom,
): ConstrainedChoice | null {
  const logits = next?.logits;
  const totalWeight = next?.totalLogitWeight;
  if (logits === undefined || totalWeight === undefined || logits.size === 0)
    throw new RangeError("llama.cpp returned no logits for the next token");
  const needed = settings.temperature === 0 ? 1 : settings.topK > 0 ? settings.topK : Number.POSITIVE_INFINITY;
  const allowed: TokenLogit<Token>[] = [];
  const top: TokenLogit<Token>[] = [];
  let maxLogit = Number.NEGATIVE_INFINITY;
  const sorted = plan.kind === "all";
  for (const [token, logit] of logits) {
    if (logit > maxLogit) maxLogit = logit;
    if (!sorted || top.length < settings.topLogprobs) top.push({ token, logit });
    if ((!sorted || allowed.length < needed) && constraint.allows(token)) allowed.push({ token, logit });
    else if (sorted && allowed.length >= needed && top.length >= settings.topLogprobs) break;
  }
  if (allowed.length === 0) return null;
  if (!sorted) top.sort((a, b) => b.logit - a.logit);
  allowed.sort((a, b) => b.logit - a.logit);
  const token = sampleToken(allowed, settings, random);
  const logNormalizer = maxLogit + Math.log(totalWeight);
  return {
    token,
    logprob: Math.min(0, logits.get(token)! - logNormalizer),
    top: top.slice(0, settings.topLogprobs),
    logNormalizer,
  };
}
