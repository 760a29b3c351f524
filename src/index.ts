/**
 * The root entry point of pyramid-moa: the chat model, the pyramid graph, the routers, the escalation policy, answer
 * extraction and voting, cost and the errors. It loads no server, cluster, sandbox or llama.cpp module: those live
 * behind the subpath entry points `pyramid-moa/eval`, `/server`, `/config`, `/llamacpp`, `/openai`, `/train`,
 * `/traces`, `/replay` and `/plots` (docs/architecture.md).
 */
export * from "./errors/index.js";

export { PyramidChatModel } from "./chat_models/index.js";
export type {
  PyramidChatModelInput,
  PyramidChatModelCallOptions,
  PyramidStructuredOutputConfig,
} from "./chat_models/index.js";
export { pyramidCacheIdentity } from "./chat_models/index.js";
export { checkRouterMembers } from "./router/member_check.js";

export { buildPyramidGraph, buildPyramidStateGraph, pyramidNodeNames } from "./graph/build.js";
export { resolvePyramidOptions } from "./graph/options.js";
export type { PyramidOptions, TierInput } from "./graph/options.js";
export type {
  PyramidSpec,
  TierSpec,
  PyramidMode,
  ApexErrorPolicy,
  BudgetExceededPolicy,
  LookaheadOptions,
} from "./graph/spec.js";
export { PyramidState } from "./graph/state.js";
export type { PyramidStateType, TierRun, PyramidTokenEvent } from "./graph/state.js";
export { pyramidResult } from "./graph/result.js";
export type { PyramidMetadata, PyramidResult } from "./graph/result.js";
export type { Candidate, TierDecision } from "./core/types.js";
export {
  DEFAULT_GENERATIVE_TEMPLATE,
  defaultGenerativePrompt,
  generativePromptFromTemplate,
  renderCandidates,
} from "./graph/nodes/generative_prompt.js";
export type { GenerativePrompt } from "./graph/nodes/generative_prompt.js";

export type { TaskKind, ExtractedAnswer, VoteResult } from "./answers/index.js";
export {
  TASK_KINDS,
  extractAnswer,
  extractMathAnswer,
  lastBoxed,
  extractChoiceAnswer,
  extractCodeAnswer,
  firstCodeBlock,
  normalizeCode,
  extractTextAnswer,
  extractToolCallAnswer,
  canonicalJson,
  normalizeNumber,
  majorityVote,
} from "./answers/index.js";

export type { FeatureVector } from "./features/index.js";
export { featureValue, featureRecord, featureNames, computeFeatures } from "./features/index.js";
export { featureNamesWith, computeFeaturesWith } from "./features/index.js";
export type { FeatureGroup, FeatureContext, BehaviourAgreement, CodeBehaviourOptions } from "./features/index.js";

export type { Router } from "./router/types.js";
export { AgreementRouter } from "./router/agreement.js";
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

export { resolveThreshold, shouldEscalate, decisionPolicySchema, DEFAULT_POLICY } from "./policy/decision.js";
export type { DecisionPolicy } from "./policy/decision.js";
export { decideEscalation } from "./policy/escalation.js";
export type { EscalationInput, EscalationDecision, EscalationGuard } from "./policy/escalation.js";
export { lookaheadDecision, myopicThreshold } from "./policy/lookahead.js";
export type { LookaheadDecision, LookaheadInput, LookaheadRule, TierEstimate } from "./policy/lookahead.js";
export { calibratePresets, DEFAULT_PRESET_SPECS, PRESET_NAMES } from "./policy/presets.js";
export type {
  PresetName,
  CalibratedPresets,
  PresetSpec,
  PresetReport,
  CalibratePresetsOptions,
} from "./policy/presets.js";
export {
  performanceAt,
  calibrationProfile,
  thresholdForEscalationRate,
  thresholdForCostSaving,
  thresholdForAccuracy,
  thresholdForAccuracyGap,
} from "./policy/calibrate.js";
export type { GradedPrediction, CalibrationResult, CalibrationPoint } from "./policy/calibrate.js";
export {
  applyPFailCalibration,
  pFailCalibrationSchema,
  PFAIL_CALIBRATION_METHODS,
} from "./router/calibration/index.js";
export type { PFailCalibration, PFailCalibrationMethod } from "./router/calibration/index.js";

export type { Price, TokenUsage } from "./cost/index.js";
export { priceSchema, defaultPriceFor, estimateTokens, usageOf, costOf, messageText } from "./cost/index.js";
export { BudgetTracker } from "./cost/budget.js";
export type { Budget, BudgetReservation, BudgetWindow } from "./cost/budget_api.js";
export { combineBudgets } from "./cost/combine.js";
export { BudgetLedger } from "./ledger/budget_ledger.js";
export type { BudgetLedgerOptions } from "./ledger/budget_ledger.js";
export type { Ledger, LedgerHoldResult, LedgerHoldOptions } from "./ledger/ledger.js";
export { estimateTierCost } from "./members/estimate.js";

export type { MemberInput, Member, ChatRunnable } from "./members/member.js";
export { resolveMember, modelName } from "./members/resolve.js";
export { isTransientError } from "./members/transient.js";
export { parseConfidence, stripConfidence, CONFIDENCE_INSTRUCTION } from "./members/confidence.js";

export { redactSecrets, redactingCallbacks, redactError, REDACTED } from "./security/index.js";
export type { RedactOptions } from "./security/index.js";
