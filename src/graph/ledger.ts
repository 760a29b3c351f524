import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import { BudgetLedger } from "../ledger/budget_ledger.js";
import type { Ledger } from "../ledger/ledger.js";
import { configLedger } from "./run_config.js";
import type { PyramidSpec } from "./spec.js";
import type { PyramidStateType } from "./state.js";

/**
 * The ledger a graph run pays through: the one its config gives, else the one its first tier made (in the state),
 * else a new one over the pyramid's `budget`.
 */
export function runLedger(
  spec: PyramidSpec,
  state: Pick<PyramidStateType, "ledger">,
  config: LangGraphRunnableConfig | undefined,
): Ledger {
  return configLedger(config) ?? state.ledger ?? new BudgetLedger({ shared: spec.budget });
}
