export { XGBoostRouter, firstDifference, readJsonFile } from "./xgboost_router.js";
export type { XGBoostRouterOptions, RouterRow } from "./xgboost_router.js";
export { parseXGBoostModel, parseXGBoostNumber, SUPPORTED_OBJECTIVES } from "./model_json.js";
export type { ParsedXGBoostModel, ParsedTree } from "./model_json.js";
export { compileForest, forestMargin, probToMargin, sigmoid } from "./forest.js";
export type { CompiledForest } from "./forest.js";
