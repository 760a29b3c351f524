import { randomUUID } from "node:crypto";
import { budgetWindowAt } from "./budget_api.js";
import type { Budget, BudgetReservation, BudgetReserveResult, BudgetWindow } from "./budget_api.js";

/**
 * A spending budget shared across queries (and across pyramids) in this process: every call's cost is recorded,
 * and once the budget is spent the pyramids stop escalating (their answers say so in
 * `response_metadata.pyramid.decisions[].reason`). Crowd calls are still made: the budget limits escalation.
 * With `window: "day"` or `"month"` the spending starts again at 0 each UTC day or month. For one budget across
 * processes and machines use `RedisBudget` (pyramid-moa/redis), which implements the same {@link Budget}.
 */
export class BudgetTracker implements Budget {
  private spentUsd = 0;
  private windowId: string;
  private readonly held = new Map<string, number>();

  /** Creates a tracker with `limitUsd` to spend per `window` (default `total`). */
  constructor(
    readonly limitUsd: number,
    readonly window: BudgetWindow = "total",
  ) {
    this.windowId = budgetWindowAt(window, Date.now()).id;
  }

  private roll(): void {
    const id = budgetWindowAt(this.window, Date.now()).id;
    if (id === this.windowId) return;
    this.windowId = id;
    this.spentUsd = 0;
    this.held.clear();
  }

  /** USD spent so far in the current window (live reservations included). */
  get spent(): number {
    this.roll();
    return this.spentUsd;
  }

  /** USD left (never negative). */
  get remaining(): number {
    return Math.max(0, this.limitUsd - this.spent);
  }

  /** Whether `usd` more can be spent within the budget. */
  canSpend(usd: number): boolean {
    return this.spent + usd <= this.limitUsd;
  }

  /** Records `usd` spent. */
  record(usd: number): void {
    this.roll();
    this.spentUsd += usd;
  }

  /** Checks and reserves `usd` in one synchronous step (see {@link Budget.reserve}). */
  async reserve(usd: number): Promise<BudgetReserveResult> {
    if (!this.canSpend(usd)) return { ok: false, remainingUsd: this.limitUsd - this.spentUsd };
    const reservation: BudgetReservation = { id: randomUUID(), usd };
    this.held.set(reservation.id, usd);
    this.spentUsd += usd;
    return { ok: true, reservation, remainingUsd: this.limitUsd - this.spentUsd };
  }

  /** Replaces the reservation with the real cost (a reservation of an earlier window is simply dropped). */
  async settle(reservation: BudgetReservation, actualUsd: number): Promise<void> {
    this.roll();
    const held = this.held.get(reservation.id) ?? 0;
    this.held.delete(reservation.id);
    this.spentUsd += actualUsd - held;
  }

  /** Records `usd` spent (see {@link Budget.charge}). */
  async charge(usd: number): Promise<void> {
    this.record(usd);
  }

  /** USD left in the current window (negative when overspent). */
  async remainingUsd(): Promise<number> {
    return this.limitUsd - this.spent;
  }
}
