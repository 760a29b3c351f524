import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { Span } from "@opentelemetry/api";
import type { Ledger } from "../ledger/ledger.js";
import { isLedger } from "../ledger/ledger.js";
import { PyramidConfigError } from "../errors/index.js";

/** Key of the per-run settings in a graph run's `configurable`. */
export const PYRAMID_RUN_KEY = "pyramid_run";

/** Settings of one run of the pyramid graph, passed through `configurable[PYRAMID_RUN_KEY]`. */
export interface PyramidRunSettings {
  /**
   * All the money of this run: the graph reserves escalations and settles every tier's cost through it. None: the
   * run makes its own over the pyramid's `budget` (kept in the graph state).
   */
  readonly ledger?: Ledger;
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

/** The ledger of this run given in its config, when one was. */
export function configLedger(config: LangGraphRunnableConfig | undefined): Ledger | undefined {
  const ledger = runSettings(config).ledger;
  return isLedger(ledger) ? ledger : undefined;
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
