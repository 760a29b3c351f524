export { dataDir } from "./data_dir.js";
export { evalTraceLineSchema, type EvalTraceLine } from "../core/trace_schema.js";
export * from "./benchmarks/index.js";
export * from "./graders/index.js";
export { gsm8kAgreement, mbppAgreement, type GraderAgreement, type GraderDisagreement } from "./graders/agreement.js";
export * from "../sandbox/index.js";
export * from "./metrics/index.js";
export { writeEvaluationReport, type EvaluationReportOptions } from "./report.js";
