export type { FeatureVector } from "./types.js";
export { featureValue, featureRecord } from "./types.js";
export { featureNames } from "./names.js";
export {
  BASE_FEATURES,
  definitionNames,
  type FeatureDefinition,
  type FeatureSignal,
  type TierSummary,
  type LogprobSummary,
} from "./definitions.js";
export { featureDocumentation } from "./documentation.js";
export { computeFeatures } from "./compute.js";
export { meanPairwiseSimilarity } from "./similarity.js";
export { hedgeCount, reasoningSteps, reasoningPart, answerInReasoning, isCountingQuestion } from "./reasoning_text.js";
export {
  MATH_SIGNAL_GROUPS,
  mathSignalNames,
  mathSignalValues,
  type MathSignalGroup,
  type MathFeatureContext,
} from "./math_signals.js";
export { featureNamesWith, computeFeaturesWith, type FeatureGroup, type FeatureContext } from "./group.js";
export {
  codeBehaviourGroup,
  measureCodeBehaviour,
  behaviourAgreement,
  behaviourFeatureNames,
  behaviourFeatureValues,
  codeBehaviourOptionsSchema,
  CODE_BEHAVIOUR_GROUP,
  type BehaviourAgreement,
  type CandidateBehaviour,
  type CodeBehaviourOptions,
} from "./behaviour/index.js";
