export type { AnswerSimilarity } from "./similarity.js";
export { symmetricMatrix } from "./similarity.js";
export { lexicalSimilarity, tokenF1 } from "./lexical.js";
export { embeddingsSimilarity, cosine } from "./embeddings.js";
export { judgeSimilarity, judgePrompt } from "./judge.js";
export { clusterBySimilarity, type SemanticClusters } from "./cluster.js";
export { semanticVote, type SemanticVote } from "./vote.js";
export { SEMANTIC_FEATURE_NAMES } from "./names.js";
export { semanticFeatures, semanticFeatureGroup } from "./group.js";
