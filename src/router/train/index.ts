/**
 * `pyramid-moa/train`: training an XGBoost router on graded crowd answers (libxgboost through koffi), with
 * cross-validation and preset calibration. Loading a trained router needs only the root entry (`loadRouter`).
 */
export { trainRouter } from "./train_router.js";
export { trainBoundaryRouters } from "./train_boundaries.js";
export type { TrainBoundaryRoutersOptions, TrainBoundaryRoutersResult } from "./train_boundaries.js";
export { calibrateJointPresets } from "./joint_presets.js";
export type { JointPresets, JointPresetReport, JointPresetOptions, JointRow } from "./joint_presets.js";
export { boundaryTraces } from "./boundary_traces.js";
export { stratifiedFolds } from "./cross_validation.js";
export { DEFAULT_TRAIN_PARAMS } from "./options.js";
export type { TrainRouterOptions, TrainRouterResult } from "./options.js";
export { candidateThresholds, tierBaselines, baselineMatchThreshold } from "../../policy/calibrate.js";
export { fitPFailCalibration, reliabilityReport } from "../calibration/index.js";
export type {
  ReliabilityBin,
  ReliabilityBinning,
  ReliabilityOptions,
  ReliabilityReport,
} from "../calibration/index.js";
export { bootstrapProfile, bootstrapOptionsSchema, intervalsAt, percentileInterval } from "../../policy/bootstrap.js";
export type { BootstrapOptions, BootstrapProfile, PresetIntervals } from "../../policy/bootstrap.js";
export { selectWithConfidence, targetProbability } from "../../policy/robust_presets.js";
export { GUARANTEED_PRESET_SPECS } from "../../policy/presets.js";
export {
  binomialCdf,
  clopperPearsonUpper,
  harmPValue,
  bettingPValue,
  discordantPValue,
  combinedPValue,
  NUISANCE_GAMMA_SHARE,
  netLossCdf,
  trinomialPValue,
  WEIGHTED_GAIN,
  TRINOMIAL_GRID,
  riskControlledThreshold,
  describeGuarantee,
} from "../../policy/risk_control.js";
export type { RiskGuarantee, RiskTest, RiskControlResult } from "../../policy/risk_control.js";
export {
  CERTIFIABLE_DELTA_STEP,
  certifiableDelta,
  guaranteedDelta,
  noLossPValue,
  type WidenableGuarantee,
} from "../../policy/risk_floor.js";
export type { PresetTarget, ConfidentChoice } from "../../policy/robust_presets.js";
export {
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
} from "../../features/index.js";
