export type { GradedQuery, GradedMember, RuleScore } from "./types.js";
export {
  scorePyramidRule,
  scoreThreshold,
  oracleAloneCost,
  crowdMajority,
  oracleAlone,
  singleModels,
  escalateUnlessUnanimous,
  escalateUnlessMajority,
  perfectRouter,
  randomRouter,
  unanimous,
  majorityAgrees,
  largestAgreement,
} from "./rules.js";
export {
  performanceProfile,
  defaultThresholds,
  confusionAt,
  theorem1At,
  theorem1Table,
  frontierSweep,
  routerAccuracyAtCost,
  type ProfilePoint,
  type Confusion,
  type Theorem1Row,
} from "./profile.js";
export { evaluationSummary, type EvaluationSummary, type SummaryOptions, type FrontierComparison } from "./summary.js";
export { profileCsv, theorem1Markdown, summaryMarkdown, summaryJson } from "./writers.js";
export { gradedQueriesFromTraces } from "./from_traces.js";
export {
  significance,
  mcnemarExactP,
  type Significance,
  type RuleIntervals,
  type PairedComparison,
  type ScoredRule,
  type SignificanceOptions,
  type Interval,
} from "./significance.js";
export { significanceRules, ORACLE_RULE } from "./significance_rules.js";
export { significanceMarkdown } from "./significance_writer.js";
export { diagnoseWorkload } from "./diagnosis.js";
export type {
  WorkloadDiagnosis,
  WorkloadRecommendation,
  MemberDiagnosis,
  WeightedQuery,
  DiagnosisOptions,
} from "./diagnosis.js";
export { diagnosisLines, diagnosisMarkdown } from "./diagnosis_text.js";
export { diagnosisRowsFromTraffic } from "./traffic_diagnosis.js";
