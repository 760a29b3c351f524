import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { Span } from "@opentelemetry/api";
import type { Ledger } from "../ledger/ledger.js";
import { isLedger } from "../ledger/ledger.js";

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
