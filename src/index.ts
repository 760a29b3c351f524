export * from "./errors/index.js";

export { PyramidChatModel } from "./chat_models/index.js";
export type { PyramidChatModelInput, PyramidChatModelCallOptions, PyramidStructuredOutputConfig } from "./chat_models/index.js";
export { pyramidCacheIdentity } from "./chat_models/index.js";
export { acceptsCallOption, forwardedCallOptions, memberInvocation } from "./members/call_options.js";
export type { MemberInvocation } from "./members/call_options.js";
export { checkRouterMembers } from "./router/member_check.js";

export { buildPyramidGraph, buildPyramidStateGraph, pyramidNodeNames } from "./graph/build.js";
export { resolvePyramidOptions } from "./graph/options.js";
export type { PyramidOptions, TierInput } from "./graph/options.js";
export type { PyramidSpec, TierSpec, PyramidMode, ApexErrorPolicy, BudgetExceededPolicy } from "./graph/spec.js";
export { PyramidState } from "./graph/state.js";
export type { PyramidStateType, TierRun, PyramidTokenEvent } from "./graph/state.js";
export { pyramidResult } from "./graph/result.js";
export type { PyramidMetadata, PyramidResult } from "./graph/result.js";
export type { Candidate, TierDecision } from "./core/types.js";

export * from "./answers/index.js";

export type { FeatureVector } from "./features/types.js";
export { featureValue, featureRecord } from "./features/types.js";
export { featureNames, computeFeatures, meanPairwiseSimilarity } from "./features/index.js";
export {
  featureNamesWith,
  computeFeaturesWith,
  codeBehaviourGroup,
  measureCodeBehaviour,
  behaviourFeatureNames,
  CODE_BEHAVIOUR_GROUP,
  hedgeCount,
  reasoningSteps,
  answerInReasoning,
  isCountingQuestion,
  MATH_SIGNAL_GROUPS,
  mathSignalNames,
  mathSignalValues,
  type MathSignalGroup,
  type MathFeatureContext,
} from "./features/index.js";
export type { FeatureGroup, FeatureContext, BehaviourAgreement, CodeBehaviourOptions } from "./features/index.js";

export type { Router } from "./router/types.js";
export { AgreementRouter } from "./router/agreement.js";

export { resolveThreshold, shouldEscalate, decisionPolicySchema, DEFAULT_POLICY } from "./policy/decision.js";
export { decideEscalation } from "./policy/escalation.js";
export type { EscalationInput, EscalationDecision, EscalationGuard } from "./policy/escalation.js";
export type { DecisionPolicy } from "./policy/decision.js";

export * from "./cost/index.js";
export { BudgetTracker } from "./cost/budget.js";
export type { Budget, BudgetReservation, BudgetReserveResult, BudgetReserveOptions, BudgetWindow } from "./cost/budget_api.js";
export { BUDGET_WINDOWS, isBudget, budgetResetsInMs } from "./cost/budget_api.js";
export { combineBudgets } from "./cost/combine.js";
export { RedisBudget, DEFAULT_RESERVATION_TTL_MS } from "./redis/budget.js";
export type { RedisBudgetAccount, RedisBudgetOptions } from "./redis/budget.js";
export { connectRedis, checkRedisUrl } from "./redis/connection.js";
export type { RedisConnection, ConnectRedisOptions } from "./redis/connection.js";
export { RedisRateLimiter } from "./redis/rate_limit.js";
export { InProcessRateLimiter, RATE_PERIOD_MS } from "./limits/rate_limiter.js";
export type { RateLimiter, RateLimits, RateDecision } from "./limits/rate_limiter.js";
export { estimateTierCost } from "./members/estimate.js";

export type { MemberInput, Member, ChatRunnable } from "./members/member.js";
export { resolveMember, modelName } from "./members/resolve.js";
export { callMember, memberErrorText } from "./members/call.js";
export { backoffDelayMs, worstCaseCallMs, retryAfterMs, retryDelayMs, MAX_RETRY_AFTER_MS } from "./members/backoff.js";
export { liveMemberCalls } from "./members/live.js";
export { DEFAULT_MEMBER_TIMEOUT_MS, limiterFor } from "./members/resolve.js";
export * from "./security/index.js";
export { isTransientError } from "./members/transient.js";
export { parseConfidence, stripConfidence, CONFIDENCE_INSTRUCTION } from "./members/confidence.js";
export { tokenLogprobs } from "./members/logprobs.js";

export {
  DEFAULT_GENERATIVE_TEMPLATE,
  defaultGenerativePrompt,
  generativePromptFromTemplate,
  renderCandidates,
} from "./graph/nodes/generative_prompt.js";
export type { GenerativePrompt } from "./graph/nodes/generative_prompt.js";

export * from "./eval/index.js";
export * from "./plots/index.js";

export { XGBoostRouter } from "./router/xgboost/index.js";
export type { XGBoostRouterOptions } from "./router/xgboost/index.js";
export {
  loadRouter,
  loadRouterBundle,
  saveRouterBundle,
  routerFromBundle,
  parseRouterBundle,
  routerBundleSchema,
} from "./router/bundle.js";
export type { RouterBundle } from "./router/bundle.js";
export { trainRouter } from "./router/train/train_router.js";
export { stratifiedFolds } from "./router/train/cross_validation.js";
export { DEFAULT_TRAIN_PARAMS } from "./router/train/options.js";
export type { TrainRouterOptions, TrainRouterResult } from "./router/train/options.js";
export { lookaheadDecision, myopicThreshold } from "./policy/lookahead.js";
export type { LookaheadDecision, LookaheadInput, LookaheadRule, TierEstimate } from "./policy/lookahead.js";
export type { LookaheadOptions } from "./graph/spec.js";
export { calibratePresets, DEFAULT_PRESET_SPECS, PRESET_NAMES } from "./policy/presets.js";
export type { PresetName, CalibratedPresets } from "./policy/presets.js";
export {
  performanceAt,
  performanceProfile as calibrationProfile,
  thresholdForEscalationRate,
  thresholdForCostSaving,
  thresholdForAccuracy,
  thresholdForAccuracyGap,
  candidateThresholds,
  tierBaselines,
  baselineMatchThreshold,
} from "./policy/calibrate.js";
export type { GradedPrediction, CalibrationResult, ProfilePoint } from "./policy/calibrate.js";
export type { PresetSpec, PresetReport, CalibratePresetsOptions } from "./policy/presets.js";
export { bootstrapProfile, bootstrapOptionsSchema, intervalsAt, percentileInterval } from "./policy/bootstrap.js";
export type { BootstrapOptions, BootstrapProfile, PresetIntervals } from "./policy/bootstrap.js";
export { selectWithConfidence, targetProbability } from "./policy/robust_presets.js";
export type { PresetTarget, ConfidentChoice } from "./policy/robust_presets.js";
export {
  fitPFailCalibration,
  applyPFailCalibration,
  pFailCalibrationSchema,
  PFAIL_CALIBRATION_METHODS,
  reliabilityReport,
} from "./router/calibration/index.js";
export type {
  PFailCalibration,
  PFailCalibrationMethod,
  ReliabilityBin,
  ReliabilityBinning,
  ReliabilityOptions,
  ReliabilityReport,
} from "./router/calibration/index.js";

// The llama.cpp engine is in the `pyramid-moa/llamacpp` entry (src/llamacpp.ts): its types come from the optional
// node-llama-cpp, which the root entry's declarations must not reference.
export { createOpenAICompatibleChatModel, openAICompatibleSchema } from "./engines/openai/index.js";
export type { OpenAICompatibleOptions } from "./engines/openai/index.js";
export { extractTokenLogprobs, extractTokenLogprobEntries } from "./core/logprobs.js";
export type { TokenLogprob } from "./core/logprobs.js";

export {
  ReplayChatModel,
  RecordingChatModel,
  RecordedOutputs,
  getRecordedItems,
  recordedItemIds,
  itemsAnsweredByAll,
  recordedLineSchema,
  promptKey,
} from "./replay/index.js";
export type {
  RecordedLine,
  RecordedItem,
  ReplayChatModelFields,
  RecordedLookup,
  ReplayChatModelCallOptions,
  RecordingChatModelFields,
  RecordedOutputsOptions,
} from "./replay/index.js";

export * from "./config/index.js";
export * from "./server/index.js";

export { runEvaluation, DEFAULT_EXPERIMENTS } from "./eval/run/run_eval.js";
export type { EvaluationOptions, EvaluationRun } from "./eval/run/run_eval.js";
export * from "./traces/index.js";
export type { ShadowStats } from "./shadow/shadow_runner.js";
