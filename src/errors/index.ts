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
} from "./errors.js";
