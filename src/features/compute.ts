import type { Candidate } from "../core/types.js";
import { majorityVote } from "../answers/vote.js";
import type { FeatureVector } from "./types.js";
import { featureNames } from "./names.js";
import { meanPairwiseSimilarity } from "./similarity.js";
import { mean, min, std } from "./stats.js";

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
function logprobStats(logprobs: readonly number[] | undefined): { avg: number; minProb: number } {
  if (!logprobs || logprobs.length === 0) return { avg: Number.NaN, minProb: Number.NaN };
  return { avg: mean(logprobs), minProb: Math.exp(min(logprobs)) };
}

/**
 * Computes the feature vector (see {@link featureNames}) of one tier's candidates, given in member order.
 * Members that failed do not count as answered; their per-member features are NaN.
 */
export function computeFeatures(candidates: readonly Candidate[]): FeatureVector {
  const n = candidates.length;
  const answered = candidates.filter((candidate) => candidate.error === undefined);
  const vote = majorityVote(candidates.map((candidate) => (candidate.error === undefined ? candidate.answer : null)));
  const lengths = answered.map((candidate) => candidate.text.length);
  const lengthMean = mean(lengths);
  const perMemberLogprobs = candidates.map((candidate) =>
    logprobStats(candidate.error ? undefined : candidate.logprobs),
  );
  const avgLogprobs = perMemberLogprobs.map((stats) => stats.avg).filter((value) => !Number.isNaN(value));
  const minProbs = perMemberLogprobs.map((stats) => stats.minProb).filter((value) => !Number.isNaN(value));
  const confidences = candidates.map((candidate) =>
    candidate.error === undefined && candidate.confidence !== undefined ? candidate.confidence : Number.NaN,
  );
  const hasAnswers = answered.length > 0;
  const values: number[] = [
    answered.length,
    hasAnswers ? vote.count / answered.length : Number.NaN,
    hasAnswers ? vote.distinct : Number.NaN,
    hasAnswers && vote.voters > 0 ? vote.entropy : Number.NaN,
    hasAnswers ? (answered.length === n && vote.distinct === 1 && vote.count === n ? 1 : 0) : Number.NaN,
    ...candidates.map((candidate) =>
      candidate.error !== undefined || vote.key === null ? Number.NaN : candidate.answer === vote.key ? 1 : 0,
    ),
    meanPairwiseSimilarity(answered.map((candidate) => candidate.text)),
    lengthMean,
    std(lengths),
    lengthMean > 0 ? std(lengths) / lengthMean : Number.NaN,
    ...perMemberLogprobs.map((stats) => stats.avg),
    ...perMemberLogprobs.map((stats) => stats.minProb),
    mean(avgLogprobs),
    min(minProbs),
    ...confidences,
    mean(confidences.filter((value) => !Number.isNaN(value))),
  ];
  return { names: cachedNames(n), values };
}
