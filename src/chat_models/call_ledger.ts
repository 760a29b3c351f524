import { PyramidConfigError } from "../errors/index.js";
import type { Budget } from "../cost/budget_api.js";
import { BudgetLedger } from "../ledger/budget_ledger.js";
import { isLedger } from "../ledger/ledger.js";
import type { Ledger } from "../ledger/ledger.js";

/**
 * The ledger of one call: the one given as the `ledger` call option (its caller releases it), or a new one over the
 * pyramid's own budget (`owned`: the call releases it when done).
 */
export function callLedger(given: unknown, budget: Budget | undefined): { ledger: Ledger; owned: boolean } {
  if (given === undefined) return { ledger: new BudgetLedger({ shared: budget }), owned: true };
  if (!isLedger(given))
    throw new PyramidConfigError("expected a Ledger (hold, reserve, settle, release)", {
      field: "ledger",
      fix: "pass new BudgetLedger({ own, shared }), or leave ledger out to pay from the pyramid's budget",
    });
  return { ledger: given, owned: false };
}
