import { majorityVote } from "../answers/vote.js";
import type { Candidate } from "../core/types.js";
import { BASE_FEATURES, type LogprobSummary, type TierSummary } from "./definitions.js";
import { featureNames } from "./names.js";
import { mean, min } from "./stats.js";
import type { FeatureVector } from "./types.js";

const namesCache = new Map<number, readonly string[]>();

function cachedNames(members: number): readonly string[] {
  let names = namesCache.get(members);
  if (!names) {
    names = Object.freeze(featureNames(members));
    namesCache.set(members, names);
  }
  return names;
}

/** Average token log-probability and smallest token probability of one member's output. */
function logprobStats(logprobs: readonly number[] | undefined): LogprobSummary {
  if (!logprobs || logprobs.length === 0) return { avg: Number.NaN, minProb: Number.NaN };
  return { avg: mean(logprobs), minProb: Math.exp(min(logprobs)) };
}

/** What the base features share, computed once for one tier's candidates. */
function summarize(candidates: readonly Candidate[]): TierSummary {
  const answered = candidates.filter((candidate) => candidate.error === undefined);
  return {
    candidates,
    answered,
    vote: majorityVote(candidates.map((candidate) => (candidate.error === undefined ? candidate.answer : null))),
    lengths: answered.map((candidate) => candidate.text.length),
    logprobs: candidates.map((candidate) => logprobStats(candidate.error ? undefined : candidate.logprobs)),
    confidences: candidates.map((candidate) =>
      candidate.error === undefined && candidate.confidence !== undefined ? candidate.confidence : Number.NaN,
    ),
  };
}

/**
 * Computes the feature vector (see {@link featureNames}) of one tier's candidates, given in member order.
 * Members that failed do not count as answered; their per-member features are NaN.
 */
export function computeFeatures(candidates: readonly Candidate[]): FeatureVector {
  const tier = summarize(candidates);
  const values: number[] = [];
  for (const definition of BASE_FEATURES) {
    const value = definition.compute(tier);
    if (typeof value === "number") values.push(value);
    else values.push(...value);
  }
  return { names: cachedNames(candidates.length), values };
}
