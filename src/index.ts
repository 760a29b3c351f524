export * from "./errors/index.js";
export type { FeatureVector } from "./features/types.js";
export { featureValue, featureRecord } from "./features/types.js";
export type { Router } from "./router/types.js";
export { evalTraceLineSchema } from "./eval/trace_schema.js";
export type { EvalTraceLine } from "./eval/trace_schema.js";
