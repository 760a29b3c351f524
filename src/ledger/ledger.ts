/** Options of {@link Ledger.hold} and {@link Ledger.reserve}. */
export interface LedgerHoldOptions {
  /** How long the hold lasts if it is never settled nor released (its process died mid-call), in ms. */
  readonly ttlMs?: number;
}

/**
 * What {@link Ledger.hold} and {@link Ledger.reserve} answer: held, or refused with what is left of the budget that
 * refused (its limit, so that the escalation guard can say why).
 */
export type LedgerHoldResult =
  | { readonly ok: true; readonly remainingUsd: number }
  | { readonly ok: false; readonly remainingUsd: number; readonly limitUsd: number };

/**
 * All the money of one query, in one object: the pyramid graph receives it (the chat model's `ledger` call option,
 * or one it makes per query from the pyramid's `budget`) and only calls it.
 *
 * Life cycle of a query: whoever admits the query may {@link hold} the crowd's worst-case cost before it runs (the
 * server does, on the tenant's budget: a refusal is its 402); before each escalation the router {@link reserve}s
 * the next tier's cost (a refusal keeps the lower tier's answer); each tier {@link settle}s its real cost once it
 * answered (replacing its hold or reservation, or charging it when there was none); and whoever made the ledger
 * calls {@link release} at the end, which ends every hold that was never settled (the query failed before the tier
 * ran) with cost 0. Holds and reservations are atomic in the budgets behind the ledger, so concurrent queries, in
 * one process or many, see each other.
 */
export interface Ledger {
  /** Who pays (a tenant's name), recorded on the query's span; undefined for the pyramid's own budget only. */
  readonly account?: string;
  /** Holds `usd` for the crowd (tier 0) before the query runs. */
  hold(usd: number, options?: LedgerHoldOptions): Promise<LedgerHoldResult>;
  /** Reserves `usd` for tier `tier` before escalating to it; throws when the budget store cannot be reached. */
  reserve(tier: number, usd: number, options?: LedgerHoldOptions): Promise<LedgerHoldResult>;
  /** Records what tier `tier` really cost: settles its hold or reservation, or charges the cost when it had none. */
  settle(tier: number, costUsd: number): Promise<void>;
  /** Ends every hold and reservation not settled yet, with cost 0 (idempotent). */
  release(): Promise<void>;
}

/** Whether `value` implements {@link Ledger}. */
export function isLedger(value: unknown): value is Ledger {
  if (typeof value !== "object" || value === null) return false;
  const ledger = value as Partial<Record<keyof Ledger, unknown>>;
  return (
    typeof ledger.hold === "function" &&
    typeof ledger.reserve === "function" &&
    typeof ledger.settle === "function" &&
    typeof ledger.release === "function"
  );
}
