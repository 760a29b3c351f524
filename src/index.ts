export * from "./errors/index.js";

export { PyramidChatModel } from "./chat_models/index.js";
export type { PyramidChatModelInput, PyramidChatModelCallOptions } from "./chat_models/index.js";

export { buildPyramidGraph, buildPyramidStateGraph, pyramidNodeNames } from "./graphs/build.js";
export { resolvePyramidOptions } from "./graphs/options.js";
export type { PyramidOptions, TierInput } from "./graphs/options.js";
export type { PyramidSpec, TierSpec, PyramidMode, ApexErrorPolicy } from "./graphs/spec.js";
export { PyramidState } from "./graphs/state.js";
export type { PyramidStateType, TierRun, PyramidTokenEvent } from "./graphs/state.js";
export { pyramidResult } from "./graphs/result.js";
export type { PyramidMetadata, PyramidResult } from "./graphs/result.js";
export type { Candidate, TierDecision } from "./graphs/types.js";

export * from "./answers/index.js";

export type { FeatureVector } from "./features/types.js";
export { featureValue, featureRecord } from "./features/types.js";
export { featureNames, computeFeatures, meanPairwiseSimilarity } from "./features/index.js";

export type { Router } from "./router/types.js";
export { AgreementRouter } from "./router/agreement.js";

export { resolveThreshold, shouldEscalate, decisionPolicySchema, DEFAULT_POLICY } from "./policy/decision.js";
export type { DecisionPolicy } from "./policy/decision.js";

export * from "./cost/index.js";
export { BudgetTracker } from "./cost/budget.js";
export { estimateTierCost } from "./cost/estimate.js";

export type { MemberInput, Member, ChatRunnable } from "./members/member.js";
export { resolveMember, modelName } from "./members/resolve.js";
export { callMember } from "./members/call.js";
export { isTransientError } from "./members/transient.js";
export { parseConfidence, CONFIDENCE_INSTRUCTION } from "./members/confidence.js";
export { tokenLogprobs } from "./members/logprobs.js";

export {
  DEFAULT_GENERATIVE_TEMPLATE,
  defaultGenerativePrompt,
  generativePromptFromTemplate,
  renderCandidates,
} from "./nodes/generative_prompt.js";
export type { GenerativePrompt } from "./nodes/generative_prompt.js";

export { evalTraceLineSchema } from "./eval/trace_schema.js";
export type { EvalTraceLine } from "./eval/trace_schema.js";
export { dataDir } from "./eval/data_dir.js";
