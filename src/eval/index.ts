export { dataDir } from "./data_dir.js";
export { evalTraceLineSchema, type EvalTraceLine } from "../core/trace_schema.js";
export * from "./benchmarks/index.js";
export * from "./graders/index.js";
export { gsm8kAgreement, mbppAgreement, type GraderAgreement, type GraderDisagreement } from "./graders/agreement.js";
export * from "../sandbox/index.js";
export * from "./metrics/index.js";
export { writeEvaluationReport, type EvaluationReportOptions } from "./report.js";
export { runEvaluation, DEFAULT_EXPERIMENTS, type EvaluationOptions, type EvaluationRun } from "./run/run_eval.js";
export {
  runDeepEvaluation,
  type DeepEvaluationOptions,
  type DeepEvaluationRun,
} from "./deep/run_deep.js";
export { writeDeepReport, type DeepReportOptions } from "./deep/report.js";
export { deepSummary, type DeepSummary, type DeepSummaryOptions } from "./deep/summary.js";
export { deepQueriesFromTraces, type DeepQuery, type DeepTier } from "./deep/queries.js";
export { DEEP_EXPERIMENTS, type DeepExperiment } from "./deep/experiments.js";
