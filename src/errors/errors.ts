import { PyramidError } from "./base.js";

/** Invalid options, configuration file, policy or CLI flags. */
export class PyramidConfigError extends PyramidError {}

/** A router file (XGBoost JSON model or router bundle) that cannot be loaded or does not fit the pyramid. */
export class RouterModelError extends PyramidError {}

/** A model call failed (after its retries); carried on the candidate, thrown only when nothing can answer. */
export class ModelCallError extends PyramidError {
  /** Name of the model whose call failed. */
  readonly model: string;
  constructor(model: string, message: string, options: { cause?: unknown; fix?: string } = {}) {
    super(`model "${model}" failed: ${message}`, options);
    this.model = model;
  }
}

/** A call exceeded its time limit. */
export class TimeoutError extends PyramidError {}

/** A replayed model was asked a prompt that was never recorded. */
export class ReplayMissError extends PyramidError {}

/** Bad input data: a malformed JSONL line, benchmark row or trace. */
export class DataFormatError extends PyramidError {}

/** A native dependency (libxgboost, node-llama-cpp) is missing; the message says how to install it. */
export class MissingDependencyError extends PyramidError {}

/** The query's cost budget does not allow the requested escalation or call. */
export class BudgetExceededError extends PyramidError {}

/**
 * A tool definition or `tool_choice` a model cannot use: a JSON schema keyword the output grammar cannot
 * enforce, a tool name that is not bound, an unknown `tool_choice`. `field` names the tool and schema path.
 */
export class ToolDefinitionError extends PyramidConfigError {}
