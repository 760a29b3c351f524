import type { Budget, BudgetReservation } from "../cost/budget_api.js";
import { combineBudgets } from "../cost/combine.js";
import type { Ledger, LedgerHoldOptions, LedgerHoldResult } from "./ledger.js";

/** Options of {@link BudgetLedger}. */
export interface BudgetLedgerOptions {
  /** The pyramid's budget shared by every query (`BudgetTracker`, `RedisBudget`): every tier's cost is recorded in it. */
  readonly shared?: Budget;
  /** Who pays (a tenant's name). */
  readonly account?: string;
  /** The payer's own budget: the crowd is held on it before the query runs; escalations are reserved on it too. */
  readonly own?: Budget;
  /**
   * The payer's and the shared budget checked together, for escalations (default: `combineBudgets([own, shared])`;
   * give `RedisBudget.and` to check both in one atomic script).
   */
  readonly combined?: Budget;
  /** Where a budget store's failure to record a cost goes (default: the process's stderr); the query is not failed. */
  readonly onError?: (error: unknown, costUsd: number) => void;
}

/** A hold or reservation of one tier: the budget it is on, and the budget charged apart when it is settled. */
interface Open {
  readonly budget: Budget;
  readonly reservation: BudgetReservation;
  /** Charged the real cost apart (the shared budget, when the crowd was held on the payer's own budget only). */
  readonly alsoCharge?: Budget;
}

function logFailure(error: unknown, costUsd: number): void {
  console.error(
    `pyramid-moa: could not record ${costUsd} USD in the budget: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/**
 * The {@link Ledger} of one query over budgets: the crowd's hold on the payer's own budget (a tenant's), escalations
 * reserved on the payer's and the shared budget together, every tier's real cost recorded in both. With only a
 * shared budget (the pyramid's `budget`), the crowd is charged after it ran and escalations are reserved on it; with
 * no budget at all, every call is a no-op. Make one per query; it is not reusable.
 */
export class BudgetLedger implements Ledger {
  readonly account?: string;
  private readonly shared?: Budget;
  private readonly own?: Budget;
  private readonly spending?: Budget;
  private readonly onError: (error: unknown, costUsd: number) => void;
  private readonly open = new Map<number, Open>();

  /** A ledger over `options`' budgets. */
  constructor(options: BudgetLedgerOptions = {}) {
    this.account = options.account;
    this.shared = options.shared;
    this.own = options.own;
    this.spending =
      options.combined ??
      (options.own && options.shared && options.own !== options.shared
        ? combineBudgets([options.own, options.shared])
        : (options.own ?? options.shared));
    this.onError = options.onError ?? logFailure;
  }

  /** Holds `usd` on the payer's own budget (no budget to hold on: held, without effect). */
  async hold(usd: number, options: LedgerHoldOptions = {}): Promise<LedgerHoldResult> {
    return this.take(0, this.own, usd, options, this.shared !== this.own ? this.shared : undefined);
  }

  /** Reserves `usd` for tier `tier` on the payer's and the shared budget together. */
  async reserve(tier: number, usd: number, options: LedgerHoldOptions = {}): Promise<LedgerHoldResult> {
    return this.take(tier, this.spending, usd, options);
  }

  private async take(
    tier: number,
    budget: Budget | undefined,
    usd: number,
    options: LedgerHoldOptions,
    alsoCharge?: Budget,
  ): Promise<LedgerHoldResult> {
    if (!budget || !(usd > 0)) return { ok: true, remainingUsd: Number.POSITIVE_INFINITY };
    const result = await budget.reserve(usd, options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : undefined);
    if (!result.ok) return { ok: false, remainingUsd: result.remainingUsd, limitUsd: budget.limitUsd };
    const earlier = this.open.get(tier);
    this.open.set(tier, { budget, reservation: result.reservation, ...(alsoCharge ? { alsoCharge } : {}) });
    if (earlier) await this.record(earlier.budget, earlier.reservation, 0);
    return { ok: true, remainingUsd: result.remainingUsd };
  }

  /** Settles tier `tier`'s hold or reservation with `costUsd`, or charges it to the spending budget. */
  async settle(tier: number, costUsd: number): Promise<void> {
    const entry = this.open.get(tier);
    this.open.delete(tier);
    if (!entry) {
      if (this.spending && costUsd !== 0) await this.record(this.spending, undefined, costUsd);
      return;
    }
    await this.record(entry.budget, entry.reservation, costUsd);
    if (entry.alsoCharge && costUsd !== 0) await this.record(entry.alsoCharge, undefined, costUsd);
  }

  /** Ends every hold and reservation not settled, with cost 0. */
  async release(): Promise<void> {
    const entries = [...this.open.values()];
    this.open.clear();
    await Promise.all(entries.map((entry) => this.record(entry.budget, entry.reservation, 0)));
  }

  /** Whether a hold or reservation of tier `tier` is still open. */
  holds(tier: number): boolean {
    return this.open.has(tier);
  }

  private async record(budget: Budget, reservation: BudgetReservation | undefined, costUsd: number): Promise<void> {
    try {
      if (reservation) await budget.settle(reservation, costUsd);
      else await budget.charge(costUsd);
    } catch (error) {
      this.onError(error, costUsd);
    }
  }
}
