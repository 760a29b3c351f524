export type { Ledger, LedgerHoldOptions, LedgerHoldResult } from "./ledger.js";
export { isLedger } from "./ledger.js";
export { BudgetLedger } from "./budget_ledger.js";
export type { BudgetLedgerOptions } from "./budget_ledger.js";
