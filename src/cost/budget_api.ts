/** The period a budget's limit applies to: a UTC calendar day, a UTC calendar month, or all time. */
export type BudgetWindow = "day" | "month" | "total";

/** Windows a budget can use. */
export const BUDGET_WINDOWS = ["day", "month", "total"] as const satisfies readonly BudgetWindow[];

/** USD held back for one escalation until it is settled with the real cost (or expires). */
export interface BudgetReservation {
  /** Unique id of the reservation. */
  readonly id: string;
  /** USD reserved. */
  readonly usd: number;
}

/** What {@link Budget.reserve} answers: the reservation, or a refusal with what is left. */
export type BudgetReserveResult =
  | { readonly ok: true; readonly reservation: BudgetReservation; readonly remainingUsd: number }
  | { readonly ok: false; readonly remainingUsd: number };

/** Options of {@link Budget.reserve}. */
export interface BudgetReserveOptions {
  /** How long the reservation holds if it is never settled (its process died mid-call), in ms. */
  readonly ttlMs?: number;
}

/**
 * A spending budget the pyramid checks before every escalation: {@link reserve} checks and holds the next tier's
 * estimated cost in one atomic step (so concurrent queries, in one process or many, cannot all escalate into the
 * same remaining USD), {@link settle} replaces the hold with the real cost once the tier answered, and
 * {@link charge} records spending that needed no reservation (the crowd). Implemented in process by
 * `BudgetTracker` and across processes and machines by `RedisBudget` (pyramid-moa/redis).
 */
export interface Budget {
  /** USD the budget allows per window. */
  readonly limitUsd: number;
  /** The period the limit applies to. */
  readonly window: BudgetWindow;
  /** Reserves `usd` if it fits in what is left (limit - spent - live reservations), atomically. */
  reserve(usd: number, options?: BudgetReserveOptions): Promise<BudgetReserveResult>;
  /** Ends a reservation and records the real cost of what it was held for. */
  settle(reservation: BudgetReservation, actualUsd: number): Promise<void>;
  /** Records `usd` spent without a reservation. */
  charge(usd: number): Promise<void>;
  /** USD left in the current window: limit - spent - live reservations (negative when overspent). */
  remainingUsd(): Promise<number>;
}

/** Whether `value` implements {@link Budget}. */
export function isBudget(value: unknown): value is Budget {
  if (typeof value !== "object" || value === null) return false;
  const budget = value as Partial<Record<keyof Budget, unknown>>;
  return (
    typeof budget.limitUsd === "number" &&
    typeof budget.reserve === "function" &&
    typeof budget.settle === "function" &&
    typeof budget.charge === "function" &&
    typeof budget.remainingUsd === "function"
  );
}

/** The window containing `nowMs`: an id (`d2026-12-04`, `m2026-12`, `total`) and when it ends (ms, or undefined). */
export function budgetWindowAt(window: BudgetWindow, nowMs: number): { id: string; endsAtMs?: number } {
  const now = new Date(nowMs);
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  if (window === "day") {
    const day = now.getUTCDate();
    return {
      id: `d${year}-${String(month + 1).padStart(2, "0")}-${String(day).padStart(2, "0")}`,
      endsAtMs: Date.UTC(year, month, day + 1),
    };
  }
  if (window === "month")
    return { id: `m${year}-${String(month + 1).padStart(2, "0")}`, endsAtMs: Date.UTC(year, month + 1, 1) };
  return { id: "total" };
}

/** Milliseconds until the budget's current window ends (undefined for `total`, which never resets). */
export function budgetResetsInMs(budget: Pick<Budget, "window">, nowMs = Date.now()): number | undefined {
  const { endsAtMs } = budgetWindowAt(budget.window, nowMs);
  return endsAtMs === undefined ? undefined : Math.max(0, endsAtMs - nowMs);
}
