import type { VoteResult } from "../answers/vote.js";
import type { Candidate } from "../core/types.js";
import { meanPairwiseSimilarity } from "./similarity.js";
import { mean, min, std } from "./stats.js";

/** One member's log-probability summary: mean token log-probability and smallest token probability (NaN if absent). */
export interface LogprobSummary {
  readonly avg: number;
  readonly minProb: number;
}

/** What the base features read, computed once per tier: the candidates and the quantities several features share. */
export interface TierSummary {
  /** The tier's candidates, in member order (failed members included). */
  readonly candidates: readonly Candidate[];
  /** The candidates of members that answered (no error). */
  readonly answered: readonly Candidate[];
  /** The majority vote over the answered members' keys. */
  readonly vote: VoteResult;
  /** Output lengths in characters of the members that answered. */
  readonly lengths: readonly number[];
  /** Per member (in member order): its log-probability summary, NaN for a failed member or absent log-probs. */
  readonly logprobs: readonly LogprobSummary[];
  /** Per member: its self-reported confidence, NaN when failed or not reported. */
  readonly confidences: readonly number[];
}

/** The signal a feature is computed from; a feature is NaN where its signal is absent. */
export type FeatureSignal = "answers" | "text" | "logprobs" | "confidence";

/**
 * One base feature, declared once: its name, what it means, the signal it needs, and how it is computed. The
 * ordered names (`featureNames`), the values (`computeFeatures`) and the documentation table
 * (`featureDocumentation`) all come from {@link BASE_FEATURES}.
 */
export interface FeatureDefinition {
  /** The feature's name, or for a per-member feature the prefix of `<name>_<i>` (member position `i`). */
  readonly name: string;
  /** Whether the feature has one value per member position (`<name>_0`, `<name>_1`, ...). */
  readonly perMember: boolean;
  /** What the value means, for the documentation. */
  readonly description: string;
  /** The signal it needs (a crowd without it gets NaN). Every base feature works for every task. */
  readonly signal: FeatureSignal;
  /** The value of a tier feature, or the per-member values (one per candidate) of a per-member feature. */
  readonly compute: (tier: TierSummary) => number | readonly number[];
}

const hasAnswers = (tier: TierSummary): boolean => tier.answered.length > 0;

/** The base features, in the order of the router's feature vector. */
export const BASE_FEATURES: readonly FeatureDefinition[] = [
  {
    name: "members_answered",
    perMember: false,
    signal: "answers",
    description: "members that answered (no error)",
    compute: (tier) => tier.answered.length,
  },
  {
    name: "vote_share",
    perMember: false,
    signal: "answers",
    description: "size of the largest answer cluster / members that answered",
    compute: (tier) => (hasAnswers(tier) ? tier.vote.count / tier.answered.length : Number.NaN),
  },
  {
    name: "distinct_answers",
    perMember: false,
    signal: "answers",
    description: "distinct answer keys among the members that answered",
    compute: (tier) => (hasAnswers(tier) ? tier.vote.distinct : Number.NaN),
  },
  {
    name: "answer_entropy",
    perMember: false,
    signal: "answers",
    description: "Shannon entropy (nats) of the answer keys over the members that gave one",
    compute: (tier) => (hasAnswers(tier) && tier.vote.voters > 0 ? tier.vote.entropy : Number.NaN),
  },
  {
    name: "unanimous",
    perMember: false,
    signal: "answers",
    description: "1 when every member answered and all gave the same key, else 0",
    compute: (tier) => {
      if (!hasAnswers(tier)) return Number.NaN;
      // The largest cluster holds every member: each answered, with a key, and the same one.
      return tier.vote.count === tier.candidates.length ? 1 : 0;
    },
  },
  {
    name: "agrees_with_majority",
    perMember: true,
    signal: "answers",
    description: "1 when member i's key is the majority key, 0 otherwise; NaN when it failed or nobody answered",
    compute: (tier) =>
      tier.candidates.map((candidate) =>
        candidate.error !== undefined || tier.vote.key === null
          ? Number.NaN
          : candidate.answer === tier.vote.key
            ? 1
            : 0,
      ),
  },
  {
    name: "pairwise_similarity",
    perMember: false,
    signal: "text",
    description: "mean Jaccard similarity of the outputs' word sets over pairs of members that answered",
    compute: (tier) => meanPairwiseSimilarity(tier.answered.map((candidate) => candidate.text)),
  },
  {
    name: "length_mean",
    perMember: false,
    signal: "text",
    description: "mean output length in characters",
    compute: (tier) => mean(tier.lengths),
  },
  {
    name: "length_std",
    perMember: false,
    signal: "text",
    description: "population standard deviation of the output lengths",
    compute: (tier) => std(tier.lengths),
  },
  {
    name: "length_cv",
    perMember: false,
    signal: "text",
    description: "coefficient of variation of the output lengths (std / mean)",
    compute: (tier) => {
      const lengthMean = mean(tier.lengths);
      return lengthMean > 0 ? std(tier.lengths) / lengthMean : Number.NaN;
    },
  },
  {
    name: "avg_logprob",
    perMember: true,
    signal: "logprobs",
    description: "member i's mean token log-probability",
    compute: (tier) => tier.logprobs.map((stats) => stats.avg),
  },
  {
    name: "min_prob",
    perMember: true,
    signal: "logprobs",
    description: "member i's smallest token probability",
    compute: (tier) => tier.logprobs.map((stats) => stats.minProb),
  },
  {
    name: "avg_logprob_mean",
    perMember: false,
    signal: "logprobs",
    description: "mean over members of avg_logprob_i",
    compute: (tier) => mean(tier.logprobs.map((stats) => stats.avg).filter((value) => !Number.isNaN(value))),
  },
  {
    name: "min_prob_min",
    perMember: false,
    signal: "logprobs",
    description: "smallest min_prob_i over members",
    compute: (tier) => min(tier.logprobs.map((stats) => stats.minProb).filter((value) => !Number.isNaN(value))),
  },
  {
    name: "confidence",
    perMember: true,
    signal: "confidence",
    description: "member i's self-reported confidence (askConfidence)",
    compute: (tier) => tier.confidences,
  },
  {
    name: "confidence_mean",
    perMember: false,
    signal: "confidence",
    description: "mean self-reported confidence over the members that gave one",
    compute: (tier) => mean(tier.confidences.filter((value) => !Number.isNaN(value))),
  },
];

/** The names a definition contributes for a tier of `members` members. */
export function definitionNames(definition: FeatureDefinition, members: number): string[] {
  if (!definition.perMember) return [definition.name];
  return Array.from({ length: members }, (_, i) => `${definition.name}_${i}`);
}
