/**
 * A spending budget shared across queries (and across pyramids): every call's cost is recorded, and once
 * the budget is spent the pyramids stop escalating (their answers say so in
 * `response_metadata.pyramid.decisions[].reason`). Crowd calls are still made: the budget limits escalation.
 */
export class BudgetTracker {
  private spentUsd = 0;

  /** Creates a tracker with `limitUsd` to spend. */
  constructor(readonly limitUsd: number) {}

  /** USD spent so far. */
  get spent(): number {
    return this.spentUsd;
  }

  /** USD left (never negative). */
  get remaining(): number {
    return Math.max(0, this.limitUsd - this.spentUsd);
  }

  /** Whether `usd` more can be spent within the budget. */
  canSpend(usd: number): boolean {
    return this.spentUsd + usd <= this.limitUsd;
  }

  /** Records `usd` spent. */
  record(usd: number): void {
    this.spentUsd += usd;
  }
}
