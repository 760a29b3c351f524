import { majorityVote } from "../../answers/vote.js";
import type { Candidate } from "../../core/types.js";
import { computeFeatures } from "../../features/compute.js";
import { BASE_FEATURES } from "../../features/definitions.js";
import { decideEscalation } from "../../policy/escalation.js";
import type { EscalationInput } from "../../policy/escalation.js";
import type { Router } from "../../router/types.js";
import type { FeatureVector } from "../../features/types.js";

/** Most completions {@link isSettled} enumerates; past it a tier is never settled early (it waits for all). */
export const MAX_COMPLETIONS = 20_000;

/** What a tier's early decision must agree with: the majority answer key and the policy's escalation. */
export interface TierOutcome {
  /** The tier's majority answer key (`null` when nobody answered). */
  readonly key: string | null;
  /** Whether the policy (threshold or look-ahead, before the cost guards) escalates. */
  readonly escalate: boolean;
}

/** What {@link isSettled} needs of the tier: its router, its policy, and the candidates the features pool. */
export interface SettleContext {
  /** The router judging the tier. */
  readonly router: Router;
  /** Equation 5's threshold at this boundary. */
  readonly threshold: number;
  /** The look-ahead policy input, when the pyramid decides by look-ahead. */
  readonly lookahead?: EscalationInput["lookahead"];
  /** Candidates of the lower tiers, pooled before this tier's in the features (empty for the crowd). */
  readonly lower: readonly Candidate[];
}

const ANSWER_FEATURES = BASE_FEATURES.filter((definition) => definition.signal === "answers");

/** Whether feature `name` is computed from the members' answer keys and failures only (`vote_share`, `agrees_with_majority_2`, ...). */
export function isAnswerFeature(name: string): boolean {
  return ANSWER_FEATURES.some((definition) =>
    definition.perMember ? new RegExp(`^${definition.name}_\\d+$`).test(name) : definition.name === name,
  );
}

/**
 * Whether the router's output is a function of the answer features only, so that its value on every completion of
 * a partial crowd can be enumerated: true when it declares `readsFeatures` and every one is an answer feature.
 */
export function routerSettlesEarly(router: Router): boolean {
  const reads = router.readsFeatures;
  return reads?.every(isAnswerFeature) ?? false;
}

/**
 * How a tier's decision can be settled before every member answered: `exact` (the router reads answer features
 * only: every completion is enumerated, the decision is the one `parallel` would reach), `in-hand` (the router
 * declares what it reads and some of it is not an answer feature, e.g. the XGBoost router's text lengths: the answer
 * features are enumerated over every completion, the others are taken from the members in hand, as the graph then
 * computes them on the partial crowd; the decision can differ from `parallel`'s), or `never` (the router does not
 * say what it reads: the tier waits for every member).
 */
export type Settlement = "exact" | "in-hand" | "never";

/** The {@link Settlement} of a router. */
export function settlementOf(router: Router): Settlement {
  if (!router.readsFeatures) return "never";
  return routerSettlesEarly(router) ? "exact" : "in-hand";
}

/** One way a missing member can end: a present or new answer key, an answer without a key, an unusable output, a failure. */
type Completion = { readonly key: string } | { readonly none: "null" | "invalid" | "error" };

function syntheticCandidate(index: number, completion: Completion): Candidate {
  const base = {
    model: `missing-${index}`,
    tier: 0,
    index,
    text: "",
    display: null,
    attempts: 1,
    latencyMs: 0,
    usage: { input: 0, output: 0, estimated: true },
    costUsd: 0,
  };
  if ("key" in completion) return { ...base, answer: completion.key, display: completion.key };
  if (completion.none === "error") return { ...base, answer: null, error: "missing" };
  if (completion.none === "invalid") return { ...base, answer: null, invalid: "missing" };
  return { ...base, answer: null };
}

/**
 * The outcome the router node would reach on these candidates (same vote, features, `answered` rule and policy).
 * With `inHand` (the features of the members in hand, the missing ones failed), the features that are not answer
 * features are taken from it instead of from `candidates` (the `in-hand` {@link Settlement}).
 */
export function tierOutcome(
  candidates: readonly Candidate[],
  context: SettleContext,
  inHand?: FeatureVector,
): TierOutcome {
  const vote = majorityVote(candidates.map((candidate) => candidate.answer));
  const answered = candidates.some((candidate) => candidate.error === undefined && candidate.invalid === undefined);
  const own = computeFeatures([...context.lower, ...candidates]);
  const features = inHand ? mixFeatures(own, inHand) : own;
  const decision = decideEscalation({
    pFail: answered ? context.router.predict(features) : 1,
    answered,
    threshold: context.threshold,
    lookahead: context.lookahead,
    nextTierCostUsd: 0,
    spentUsd: 0,
  });
  return { key: vote.key, escalate: decision.escalate };
}

const answerFeatureCache = new Map<string, boolean>();

/** `completion`'s answer features with every other feature of `inHand` (same names, same order). */
function mixFeatures(completion: FeatureVector, inHand: FeatureVector): FeatureVector {
  const values = completion.names.map((name, i) => {
    let answers = answerFeatureCache.get(name);
    if (answers === undefined) {
      answers = isAnswerFeature(name);
      answerFeatureCache.set(name, answers);
    }
    return answers ? completion.values[i] : inHand.values[i];
  });
  return { names: completion.names, values };
}

/**
 * Whether the tier's decision is settled by the answers in hand: the majority answer key and the policy's escalation
 * are the same on every completion of the missing members (`present[i]` undefined), each of which may give any key
 * already present, a new key (two missing members may share a new key), an answer without a key, an unusable output,
 * or fail. Exact when {@link routerSettlesEarly}: the features the router reads are then a function of the answer
 * keys and failures, which the enumeration covers completely (ties included: completions sit at their member
 * positions, so the vote's tie-break by member order is the real one). A router reading other features too
 * (`in-hand` {@link Settlement}) is evaluated on each completion's answer features with its other features from the
 * members in hand (missing members NaN, aggregates over those in hand): settled means settled for that view, which
 * is what the graph decides on when the tier stops. A router that does not declare what it reads, a router whose
 * feature names are not the base features (feature groups such as code behaviour), or more than
 * {@link MAX_COMPLETIONS} completions: returns false (the tier waits for every member).
 */
export function isSettled(present: readonly (Candidate | undefined)[], context: SettleContext): boolean {
  const missing = present.flatMap((candidate, index) => (candidate === undefined ? [index] : []));
  if (missing.length === 0) return true;
  const settlement = settlementOf(context.router);
  if (settlement === "never") return false;
  const keys = [...new Set(present.flatMap((candidate) => (candidate?.answer != null ? [candidate.answer] : [])))];
  const options: Completion[] = [
    ...keys.map((key) => ({ key })),
    ...missing.map((_, j) => ({ key: `\u0000new-${j}` })),
    { none: "null" },
    { none: "invalid" },
    { none: "error" },
  ];
  if (options.length ** missing.length > MAX_COMPLETIONS) return false;
  const slots = [...present];
  for (const memberIndex of missing) slots[memberIndex] = syntheticCandidate(memberIndex, { none: "error" });
  const inHand = computeFeatures([...context.lower, ...(slots as Candidate[])]);
  // A router trained on more than the base features (code behaviour, claims, semantic): the enumeration cannot
  // compute what it reads, so the tier waits for every member.
  const expected = context.router.featureNames;
  if (expected && expected.join("\u0000") !== inHand.names.join("\u0000")) return false;
  let first: TierOutcome | undefined;
  const choice = new Array<number>(missing.length).fill(0);
  for (;;) {
    missing.forEach((memberIndex, j) => {
      slots[memberIndex] = syntheticCandidate(memberIndex, options[choice[j]]);
    });
    const outcome = tierOutcome(slots as Candidate[], context, settlement === "in-hand" ? inHand : undefined);
    if (!first) first = outcome;
    else if (outcome.key !== first.key || outcome.escalate !== first.escalate) return false;
    let j = 0;
    while (j < choice.length && ++choice[j] === options.length) choice[j++] = 0;
    if (j === choice.length) return true;
  }
}
