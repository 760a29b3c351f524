/**
 * Ordered feature names for a tier of `members` members.
 *
 * Agreement: `members_answered`, `vote_share` (largest cluster / members that answered), `distinct_answers`,
 * `answer_entropy` (nats), `unanimous` (0/1), `agrees_with_majority_<i>` per member position (0/1),
 * `pairwise_similarity` (mean Jaccard similarity of the outputs' word sets over member pairs).
 * Length: `length_mean`, `length_std`, `length_cv` of the output length in characters.
 * Log-probabilities: `avg_logprob_<i>` and `min_prob_<i>` per member, `avg_logprob_mean` and `min_prob_min`
 * over members. Self-reported confidence: `confidence_<i>` per member and `confidence_mean`.
 * Absent signals are NaN.
 */
export function featureNames(members: number): string[] {
  const perMember = (prefix: string): string[] => Array.from({ length: members }, (_, i) => `${prefix}_${i}`);
  return [
    "members_answered",
    "vote_share",
    "distinct_answers",
    "answer_entropy",
    "unanimous",
    ...perMember("agrees_with_majority"),
    "pairwise_similarity",
    "length_mean",
    "length_std",
    "length_cv",
    ...perMember("avg_logprob"),
    ...perMember("min_prob"),
    "avg_logprob_mean",
    "min_prob_min",
    ...perMember("confidence"),
    "confidence_mean",
  ];
}
