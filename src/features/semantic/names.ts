/**
 * The semantic-vote feature names (free text voted by meaning, `task: "text"` or `"short-answer"`):
 * `semantic_cluster_share` (members in the largest meaning cluster / members that answered), `semantic_entropy`
 * (discrete semantic entropy, Kuhn et al. 2023 as estimated from cluster frequencies: nats over the meaning
 * clusters), `semantic_similarity_mean` and `semantic_similarity_max` (over pairs of answering members). NaN when
 * absent: fewer than two answers, or the similarity failed.
 */
export const SEMANTIC_FEATURE_NAMES = [
  "semantic_cluster_share",
  "semantic_entropy",
  "semantic_similarity_mean",
  "semantic_similarity_max",
] as const;
