import { runTier } from "../../graph/nodes/crowd.js";
import { PYRAMID_RUN_KEY } from "../../graph/run_config.js";
import { BudgetLedger } from "../../ledger/budget_ledger.js";
import type { PyramidSpec } from "../../graph/spec.js";
import type { PyramidStateType } from "../../graph/state.js";
import { estimateTierCost } from "../../members/estimate.js";
import { Semaphore } from "../../members/semaphore.js";
import { redactSecrets } from "../../security/redact.js";
import type { ShadowTraceLine } from "../schema.js";
import { seededRandom } from "../../utils/random.js";

/** Settings of a {@link ShadowRunner}. */
export interface ShadowSettings {
  /** Probability that a query not escalated to the apex is drawn. */
  readonly rate: number;
  readonly seed: number;
  readonly maxConcurrency: number;
  readonly maxQueued: number;
}

/** Running totals of the shadow calls. */
export interface ShadowStats {
  /** Queries drawn for a shadow call. */
  scheduled: number;
  /** Shadow calls that ran to the end (answered or failed). */
  completed: number;
  /** Draws not run: budget or cost cap, or too many waiting. */
  skipped: number;
  /** USD spent on shadow calls (shadow cost: not in any answer's cost). */
  costUsd: number;
}

/**
 * Shadow sampling: after an answer has been returned, a seeded random fraction `rate` of the queries the pyramid did
 * not escalate to the apex are sent to the apex in the background, at most `maxConcurrency` at once. A draw is
 * skipped (and recorded as skipped) when the apex's estimated cost would exceed the shared budget or the per-query
 * cap, or when `maxQueued` calls are already waiting. The apex call's cost is recorded in the budget and in
 * {@link ShadowRunner.stats}; the answer's own cost never includes it.
 */
export class ShadowRunner {
  /** Running totals. */
  readonly stats: ShadowStats = { scheduled: 0, completed: 0, skipped: 0, costUsd: 0 };
  private readonly random: () => number;
  private readonly semaphore: Semaphore;
  private readonly pending = new Set<Promise<void>>();

  constructor(readonly settings: ShadowSettings) {
    this.random = seededRandom(settings.seed);
    this.semaphore = new Semaphore(settings.maxConcurrency);
  }

  /** Draws whether a query that reached the apex or not (`reachedApex`) gets a shadow call. */
  draw(reachedApex: boolean): boolean {
    if (reachedApex || this.settings.rate <= 0) return false;
    return this.random() < this.settings.rate;
  }

  /**
   * Starts the shadow call of a drawn query on the next turn of the event loop (so never before the answer is
   * handed back) and calls `record` with its result. Returns at once.
   */
  schedule(id: string, spec: PyramidSpec, state: PyramidStateType, record: (line: ShadowTraceLine) => void): void {
    this.stats.scheduled++;
    const task = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(id, spec, state))
      .then(record, (error: unknown) => record(this.line(id, { error: redactSecrets(String(error)) })))
      .catch(() => undefined)
      .finally(() => this.pending.delete(task));
    this.pending.add(task);
  }

  /** Resolves when every shadow call scheduled so far has finished. */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  private line(id: string, fields: Partial<ShadowTraceLine>): ShadowTraceLine {
    return {
      type: "shadow",
      id,
      time: new Date().toISOString(),
      apexAnswer: null,
      agrees: null,
      costUsd: 0,
      latencyMs: 0,
      ...fields,
    };
  }

  private async run(id: string, spec: PyramidSpec, state: PyramidStateType): Promise<ShadowTraceLine> {
    const apex = spec.tiers.length - 1;
    const crowd = state.tiers[0];
    const estimate = estimateTierCost(spec.tiers[apex].members, state.messages, crowd?.candidates ?? []);
    const spent = state.tiers.reduce((sum, run) => sum + run.costUsd, 0);
    const skip = (reason: string): ShadowTraceLine => {
      this.stats.skipped++;
      return this.line(id, { skipped: reason });
    };
    if (this.semaphore.queued >= this.settings.maxQueued)
      return skip(`${this.settings.maxQueued} shadow calls already waiting`);
    return this.semaphore.run(async () => {
      if (spec.maxCostPerQuery !== undefined && spent + estimate > spec.maxCostPerQuery) {
        return skip(`maxCostPerQuery ${spec.maxCostPerQuery} USD would be exceeded`);
      }
      // Reserve the estimate now, atomically (concurrent shadow calls, and other processes on a shared budget, see
      // it); runTier settles it through the ledger against the actual cost.
      const ledger = new BudgetLedger({ shared: spec.budget });
      const held = await ledger.reserve(apex, estimate).catch((error: unknown) => ({ ok: false as const, error }));
      if ("error" in held) return skip(`the budget could not be reserved: ${redactSecrets(String(held.error))}`);
      if (!held.ok) return skip(`the budget would be exceeded (${Math.max(0, held.remainingUsd).toFixed(6)} USD left)`);
      const started = Date.now();
      const run = await runTier(spec, apex, state, { configurable: { [PYRAMID_RUN_KEY]: { ledger } } });
      this.stats.completed++;
      this.stats.costUsd += run.costUsd;
      const errors = run.candidates.filter((c) => c.error !== undefined).map((c) => `${c.model}: ${c.error}`);
      const apexAnswer = run.vote.key;
      const crowdAnswer = crowd?.vote.key ?? null;
      return this.line(id, {
        apexAnswer,
        agrees: apexAnswer === null ? null : crowdAnswer === apexAnswer,
        costUsd: run.costUsd,
        latencyMs: Date.now() - started,
        ...(errors.length === run.candidates.length ? { error: redactSecrets(errors.join("; ")) } : {}),
      });
    });
  }
}
