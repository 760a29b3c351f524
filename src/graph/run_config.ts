import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { Span } from "@opentelemetry/api";
import type { Budget, CrowdHold } from "../cost/budget_api.js";
import { isBudget } from "../cost/budget_api.js";
import { PyramidConfigError } from "../errors/index.js";
import type { PyramidSpec } from "./spec.js";

/** Key of the per-run settings in a graph run's `configurable`. */
export const PYRAMID_RUN_KEY = "pyramid_run";

/** Settings of one run of the pyramid graph, passed through `configurable[PYRAMID_RUN_KEY]`. */
export interface PyramidRunSettings {
  /** A budget for this run instead of the pyramid's own (e.g. a tenant's, combined with the global one). */
  readonly budget?: Budget;
  /** The crowd's expected cost held before the run: the crowd tier settles it instead of charging `budget`. */
  readonly crowdHold?: CrowdHold;
  /** The query's OpenTelemetry span, parent of the tier and member spans. */
  readonly span?: Span;
  /** When the query must be answered (epoch milliseconds, `Date.now()` scale): see the `deadlineMs` setting. */
  readonly deadlineAt?: number;
}

/** The settings of this graph run (empty when none were given). */
export function runSettings(config: LangGraphRunnableConfig | undefined): PyramidRunSettings {
  const value = (config?.configurable as Record<string, unknown> | undefined)?.[PYRAMID_RUN_KEY];
  return typeof value === "object" && value !== null ? (value as PyramidRunSettings) : {};
}

/** The budget a run spends from: the run's own when given, else the pyramid's. */
export function runBudget(spec: PyramidSpec, config: LangGraphRunnableConfig | undefined): Budget | undefined {
  const budget = runSettings(config).budget;
  return isBudget(budget) ? budget : spec.budget;
}

/**
 * The run setting of a deadline of `deadlineMs` milliseconds from now (`{}` when none is given); a value that is not a
 * positive number of milliseconds is refused with a {@link PyramidConfigError}.
 */
export function deadlineSetting(deadlineMs: number | undefined): { deadlineAt?: number } {
  if (deadlineMs === undefined) return {};
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) {
    throw new PyramidConfigError(`must be a positive number of milliseconds, got ${String(deadlineMs)}`, {
      field: "deadlineMs",
      fix: "give deadlineMs as a positive number of milliseconds, or leave it out",
    });
  }
  return { deadlineAt: Date.now() + deadlineMs };
}
