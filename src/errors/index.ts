export { PyramidError } from "./base.js";
export {
  PyramidConfigError,
  RouterModelError,
  ModelCallError,
  TimeoutError,
  ReplayMissError,
  DataFormatError,
  MissingDependencyError,
  BudgetExceededError,
  ToolDefinitionError,
} from "./errors.js";
