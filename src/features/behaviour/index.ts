export { codeBehaviourGroup, measureCodeBehaviour, CODE_BEHAVIOUR_GROUP } from "./group.js";
export {
  behaviourAgreement,
  behaviourFeatureNames,
  behaviourFeatureValues,
  type BehaviourAgreement,
} from "./agreement.js";
export {
  codeBehaviourOptionsSchema,
  resolveCodeBehaviourOptions,
  type CodeBehaviourOptions,
  type ResolvedCodeBehaviourOptions,
} from "./options.js";
export type { CandidateBehaviour } from "./run.js";
export { probeSource, mayHaveProbes, type ProbeSource } from "./sources.js";
