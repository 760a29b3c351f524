export type { FeatureVector } from "./types.js";
export { featureValue, featureRecord } from "./types.js";
export { featureNames } from "./names.js";
export { computeFeatures } from "./compute.js";
export { meanPairwiseSimilarity } from "./similarity.js";
