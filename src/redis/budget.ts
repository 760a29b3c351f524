import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { z } from "zod";
import { BUDGET_WINDOWS, budgetWindowAt } from "../cost/budget_api.js";
import type {
  Budget,
  BudgetReservation,
  BudgetReserveOptions,
  BudgetReserveResult,
  BudgetWindow,
} from "../cost/budget_api.js";
import { parseOptions } from "../errors/validate.js";
import { connectRedis } from "./connection.js";
import type { RedisConnection } from "./connection.js";
import { RESERVE_SCRIPT, SETTLE_SCRIPT } from "./budget_scripts.js";
import { SpendJournal } from "./journal.js";

/** One journal per file in this process, shared by the budgets that name it (a tenant's and `and` combinations). */
const JOURNALS = new Map<string, SpendJournal>();

function journalAt(path: string): SpendJournal {
  const key = resolve(path);
  let journal = JOURNALS.get(key);
  if (!journal) {
    journal = new SpendJournal(key);
    JOURNALS.set(key, journal);
  }
  return journal;
}

/** USD are kept in Redis as integer nano-USD, so that sums never drift. */
const NANO = 1e9;

/** Default reservation lifetime when the caller gives none: 2 minutes. */
export const DEFAULT_RESERVATION_TTL_MS = 120_000;

/** One budget account: a named limit per window. */
export interface RedisBudgetAccount {
  /** Account name (part of the Redis keys), e.g. `global` or a tenant's name. */
  readonly name: string;
  /** USD allowed per window. */
  readonly limitUsd: number;
  /** Window of the limit (default `total`). */
  readonly window?: BudgetWindow;
}

/** Options of {@link RedisBudget}. */
export interface RedisBudgetOptions {
  /** Key prefix (a Redis Cluster hash tag is put around it so all keys share a slot). Default `pyramid-moa`. */
  readonly prefix?: string;
  /** Lifetime of every reservation, overriding the per-call hint (the apex's worst-case call time + 10 s). */
  readonly reservationTtlMs?: number;
  /**
   * A local file (one per process) where spend that could not be recorded in Redis is journaled (appended and
   * fsynced) and from which it is settled into Redis once Redis answers again, before anything else is reserved.
   * None: such spend is lost (the error reaches the caller).
   */
  readonly journal?: string;
}

const accountSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "must be 1-64 letters, digits, '_', '.' or '-'"),
    limitUsd: z.number().nonnegative().max(9e6, "must be at most 9,000,000 USD"),
    window: z.enum(BUDGET_WINDOWS).optional(),
  })
  .strict();
const optionsSchema = z
  .object({
    prefix: z
      .string()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be 1-64 letters, digits, '_', '.', ':' or '-'")
      .optional(),
    reservationTtlMs: z.number().int().positive().optional(),
    journal: z.string().min(1).optional(),
  })
  .strict();

function nano(usd: number, round: (x: number) => number): number {
  return round(usd * NANO);
}

/**
 * A budget kept in Redis and shared by every process and machine that uses the same Redis and account names:
 * {@link reserve} checks and holds in one Lua script (atomic across all of them), {@link settle} replaces the hold
 * with the real cost, and a reservation whose process died expires after its TTL (the sorted set of reservations
 * by expiry is cleaned inside every script, on the Redis clock). Windows: UTC day, UTC month or total; a window's
 * keys expire a day after it ends. Several accounts (e.g. a tenant's and the global one) can be checked and
 * charged together atomically with {@link and}.
 *
 * ```ts
 * const budget = await RedisBudget.connect("redis://127.0.0.1:6379", { name: "global", limitUsd: 50, window: "day" });
 * const model = new PyramidChatModel({ crowd, oracle, budget });
 * ```
 */
export class RedisBudget implements Budget {
  /** The accounts checked and charged together (the first one's limit and window are reported). */
  readonly accounts: readonly Required<RedisBudgetAccount>[];
  private readonly prefix: string;
  private readonly reservationTtlMs?: number;
  private readonly journal?: SpendJournal;

  /** A budget on an open connection (see {@link connect}). */
  constructor(
    readonly redis: RedisConnection,
    accounts: RedisBudgetAccount | readonly RedisBudgetAccount[],
    options: RedisBudgetOptions = {},
  ) {
    const list = Array.isArray(accounts)
      ? (accounts as readonly RedisBudgetAccount[])
      : [accounts as RedisBudgetAccount];
    if (list.length === 0) parseOptions(accountSchema, undefined, "RedisBudget.accounts");
    this.accounts = list.map((account, i) => ({
      window: "total" as const,
      ...parseOptions(accountSchema, account, `RedisBudget.accounts.${i}`),
    }));
    const checked = parseOptions(optionsSchema, options, "RedisBudget.options");
    this.prefix = checked.prefix ?? "pyramid-moa";
    this.reservationTtlMs = checked.reservationTtlMs;
    if (checked.journal) this.journal = journalAt(checked.journal);
  }

  /** Connects to `url` (ioredis, loaded lazily) and returns the budget of `account`. */
  static async connect(
    url: string,
    account: RedisBudgetAccount,
    options: RedisBudgetOptions = {},
  ): Promise<RedisBudget> {
    return new RedisBudget(await connectRedis(url, { field: "budget.redis" }), account, options);
  }

  /** The first account's limit (USD). */
  get limitUsd(): number {
    return this.accounts[0].limitUsd;
  }

  /** The first account's window. */
  get window(): BudgetWindow {
    return this.accounts[0].window;
  }

  /** A budget over this one's accounts and `other`'s, on this connection: reserve succeeds only if all have room. */
  and(other: RedisBudget): RedisBudget {
    return new RedisBudget(this.redis, [...this.accounts, ...other.accounts], {
      prefix: this.prefix,
      ...(this.reservationTtlMs ? { reservationTtlMs: this.reservationTtlMs } : {}),
      ...((this.journal ?? other.journal) ? { journal: (this.journal ?? other.journal)?.path } : {}),
    });
  }

  /** The three keys of every account in the window containing `nowMs`, and each window's key lifetime (s). */
  private keys(nowMs: number): { keys: string[]; lifetimes: number[] } {
    const keys: string[] = [];
    const lifetimes: number[] = [];
    for (const account of this.accounts) {
      const { id, endsAtMs } = budgetWindowAt(account.window, nowMs);
      const base = `{${this.prefix}}:budget:${account.name}:${id}`;
      keys.push(`${base}:spent`, `${base}:resv`, `${base}:amt`);
      lifetimes.push(endsAtMs === undefined ? 0 : Math.ceil((endsAtMs - nowMs) / 1000) + 86_400);
    }
    return { keys, lifetimes };
  }

  private limits(): number[] {
    return this.accounts.map((account) => nano(account.limitUsd, Math.floor));
  }

  /** Checks and reserves `usd` in every account in one Lua script. */
  async reserve(usd: number, options: BudgetReserveOptions = {}): Promise<BudgetReserveResult> {
    const amount = nano(Math.max(0, usd), Math.ceil);
    const ttlMs = Math.max(1, Math.round(this.reservationTtlMs ?? options.ttlMs ?? DEFAULT_RESERVATION_TTL_MS));
    const id = randomUUID();
    await this.replayJournal();
    const reply = (await RESERVE_SCRIPT.run(this.redis, this.keys(Date.now()).keys, [
      id,
      amount,
      ttlMs,
      ...this.limits(),
    ])) as [number, string];
    const remainingUsd = Number(reply[1]) / NANO;
    if (Number(reply[0]) !== 1) return { ok: false, remainingUsd };
    return { ok: true, reservation: { id, usd: amount / NANO }, remainingUsd };
  }

  /** Drops the reservation and records the real cost in every account. */
  async settle(reservation: BudgetReservation, actualUsd: number): Promise<void> {
    await this.add(reservation.id, actualUsd);
  }

  /** Records `usd` spent in every account. */
  async charge(usd: number): Promise<void> {
    await this.add("", usd);
  }

  private async add(id: string, usd: number): Promise<void> {
    const { keys: accountKeys, lifetimes } = this.keys(Date.now());
    // One operation id per settle: Redis counts it once, even when a journaled copy is replayed after it took it.
    const keys = [...accountKeys, `{${this.prefix}}:budget:ops`];
    const args = [id, nano(usd, Math.round), randomUUID(), ...lifetimes];
    try {
      await SETTLE_SCRIPT.run(this.redis, keys, args);
    } catch (error) {
      if (!this.journal) throw error;
      // Redis did not record it: the journal keeps it (fsynced) until Redis answers again.
      this.journal.append({ keys, args });
    }
  }

  /** Settles the journaled spend into Redis (throws, keeping it, while Redis is still unreachable). */
  async replayJournal(): Promise<void> {
    await this.journal?.replay(async (entry) => {
      await SETTLE_SCRIPT.run(this.redis, entry.keys, entry.args);
    });
  }

  /** The smallest USD left over the accounts (limit - spent - live reservations; negative when overspent). */
  async remainingUsd(): Promise<number> {
    await this.replayJournal();
    const reply = (await RESERVE_SCRIPT.run(this.redis, this.keys(Date.now()).keys, ["", 0, 1, ...this.limits()])) as [
      number,
      string,
    ];
    return Number(reply[1]) / NANO;
  }

  /** Closes the Redis connection (shared by budgets made with {@link and}). */
  async close(): Promise<void> {
    await this.redis.quit();
  }
}
