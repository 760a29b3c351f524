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
  mulberry32,
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
export { profileCsv, theorem1Markdown, summaryMarkdown, summaryJson, format } from "./writers.js";
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
