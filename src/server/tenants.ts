import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { budgetResetsInMs } from "../cost/budget_api.js";
import type { Budget } from "../cost/budget_api.js";
import { combineBudgets } from "../cost/combine.js";
import { BudgetLedger } from "../ledger/budget_ledger.js";
import type { Ledger } from "../ledger/ledger.js";
import type { RateLimiter, RateLimits } from "../limits/rate_limiter.js";
import { RedisBudget } from "../redis/budget.js";
import { HttpError } from "./errors.js";
import { DEFAULT_TENANT } from "./metrics.js";

/** Response header with the USD left in the tenant's budget when the request was admitted. */
export const BUDGET_REMAINING_HEADER = "x-pyramid-budget-remaining-usd";

/** Seconds a client is told to wait (`retry-after`) when the budget store cannot be reached. */
export const STORE_RETRY_AFTER_S = 5;

/** Response header naming the tenant a request was counted against. */
export const TENANT_HEADER = "x-pyramid-tenant";

/** A tenant of the server: its API key, its budget and its rate limits. */
export interface ServerTenant {
  /** Name, in metrics, traces and Redis keys. */
  readonly name: string;
  /** The bearer token its clients send (`Authorization: Bearer <key>`). */
  readonly key: string;
  /** Its own budget (checked together with the pyramid's budget); none = only the pyramid's. */
  readonly budget?: Budget;
  /** Requests and tokens per minute. */
  readonly requestsPerMinute?: number;
  readonly tokensPerMinute?: number;
  /** `POST /v1/feedback` posts per minute (default `requestsPerMinute`; none = unlimited). */
  readonly feedbackPerMinute?: number;
}

/** A request's tenant, once authenticated. */
export interface AdmittedTenant {
  readonly name: string;
  readonly limits: RateLimits;
  /** Budget the request spends from (the tenant's combined with the pyramid's), when the tenant has one. */
  readonly budget?: Budget;
  /** The tenant's own budget, when it has one (what {@link TenantGate.holdCrowd} holds the crowd on). */
  readonly ownBudget?: Budget;
  /** Headers every response to the tenant carries. */
  readonly headers: Record<string, string>;
}

function bearer(headers: IncomingHttpHeaders): Buffer | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "");
  return match ? Buffer.from(match[1].trim()) : undefined;
}

function sameKey(given: Buffer, key: string): boolean {
  const expected = Buffer.from(key);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function seconds(ms: number): string {
  return String(Math.max(1, Math.ceil(ms / 1000)));
}

/** The 402 for a tenant whose budget cannot pay, with `retry-after` until a day or month window resets. */
function budgetRefusal(budget: Budget, message: string, headers: Record<string, string>): HttpError {
  const resetsIn = budgetResetsInMs(budget);
  return new HttpError(402, message, {
    type: "insufficient_quota",
    code: "insufficient_quota",
    headers: { ...headers, ...(resetsIn !== undefined ? { "retry-after": seconds(resetsIn) } : {}) },
  });
}

/** The budget a tenant's requests spend from: its own and the pyramid's, in one atomic script when both are in Redis. */
export function tenantSpendingBudget(own: Budget | undefined, pyramid: Budget | undefined): Budget | undefined {
  if (!own) return undefined;
  if (!pyramid) return own;
  if (own instanceof RedisBudget && pyramid instanceof RedisBudget && own.redis === pyramid.redis)
    return own.and(pyramid);
  return combineBudgets([own, pyramid]);
}

/**
 * Authenticates requests against the tenants' keys and admits them: 401 for an unknown key, 429 (with
 * `retry-after`) when the tenant's request or token rate is used up, 402 (with the remaining budget and, for a
 * day or month window, `retry-after` until it resets) when its budget is spent.
 */
export class TenantGate {
  private readonly tenants: ReadonlyArray<{ tenant: ServerTenant; spending?: Budget }>;
  private crowdCostMean: number | undefined;

  /** `token` (the `--token-env` token) is admitted as the tenant `default`, without limits. */
  constructor(
    tenants: readonly ServerTenant[],
    private readonly limiter: RateLimiter,
    private readonly pyramidBudget: Budget | undefined,
    private readonly token?: string,
    private readonly failOpen = false,
  ) {
    this.tenants = tenants.map((tenant) => ({ tenant, spending: tenantSpendingBudget(tenant.budget, pyramidBudget) }));
  }

  /** Whether requests must authenticate. */
  get required(): boolean {
    return this.tenants.length > 0 || this.token !== undefined;
  }

  /** The tenant of a request's bearer token (every key compared in constant time), or a 401. */
  identify(headers: IncomingHttpHeaders): { tenant?: ServerTenant; spending?: Budget; name: string } {
    if (!this.required) return { name: DEFAULT_TENANT };
    const given = bearer(headers);
    let found: { tenant: ServerTenant; spending?: Budget } | undefined;
    let isToken = false;
    if (given) {
      for (const entry of this.tenants) if (sameKey(given, entry.tenant.key)) found = entry;
      if (this.token !== undefined && sameKey(given, this.token)) isToken = true;
    }
    if (found) return { ...found, name: found.tenant.name };
    if (isToken) return { name: DEFAULT_TENANT };
    throw new HttpError(401, "missing or invalid bearer token (send Authorization: Bearer <token>)", {
      type: "authentication_error",
      code: "invalid_api_key",
      headers: { "www-authenticate": "Bearer" },
    });
  }

  /** Authenticates and admits a request, or throws the 401, 429 or 402 to answer. */
  async admit(
    headers: IncomingHttpHeaders,
    onRateLimited?: (tenant: string, limit: "requests" | "tokens") => void,
  ): Promise<AdmittedTenant> {
    const { tenant, spending, name } = this.identify(headers);
    const limits: RateLimits = {
      name,
      ...(tenant?.requestsPerMinute ? { requestsPerMinute: tenant.requestsPerMinute } : {}),
      ...(tenant?.tokensPerMinute ? { tokensPerMinute: tenant.tokensPerMinute } : {}),
    };
    const out: Record<string, string> = this.required ? { [TENANT_HEADER]: name } : {};
    const remaining = tenant?.budget ? await this.store(() => tenant.budget?.remainingUsd(), out) : undefined;
    if (tenant?.budget && remaining !== undefined) {
      out[BUDGET_REMAINING_HEADER] = Math.max(0, remaining).toFixed(6);
      if (remaining <= 0)
        throw budgetRefusal(
          tenant.budget,
          `tenant "${name}" has spent its budget of ${tenant.budget.limitUsd} USD (${tenant.budget.window})`,
          out,
        );
    }
    const decision = (await this.store(() => this.limiter.admit(limits), out)) ?? { ok: true as const };
    if (!decision.ok) {
      onRateLimited?.(name, decision.limit);
      const perMinute = decision.limit === "requests" ? limits.requestsPerMinute : limits.tokensPerMinute;
      throw new HttpError(
        429,
        `tenant "${name}" is over its ${decision.limit} per minute (${perMinute}); retry in ${seconds(decision.retryAfterMs)} s`,
        {
          type: decision.limit,
          code: "rate_limit_exceeded",
          headers: {
            ...out,
            "retry-after": seconds(decision.retryAfterMs),
            "retry-after-ms": String(decision.retryAfterMs),
          },
        },
      );
    }
    return {
      name,
      limits,
      ...(spending ? { budget: spending } : {}),
      ...(tenant?.budget ? { ownBudget: tenant.budget } : {}),
      headers: out,
    };
  }

  /**
   * Authenticates a `POST /v1/feedback` and takes one post from the tenant's feedback bucket (`feedbackPerMinute`,
   * default its `requestsPerMinute`, kept apart from its requests), or throws the 401 or the 429 with `retry-after`.
   */
  async admitFeedback(
    headers: IncomingHttpHeaders,
    onRateLimited?: (tenant: string) => void,
  ): Promise<{ name: string; headers: Record<string, string> }> {
    const { tenant, name } = this.identify(headers);
    const out: Record<string, string> = this.required ? { [TENANT_HEADER]: name } : {};
    const perMinute = tenant?.feedbackPerMinute ?? tenant?.requestsPerMinute;
    if (!perMinute) return { name, headers: out };
    const decision = await this.limiter.admit({ name: `${name}:feedback`, requestsPerMinute: perMinute });
    if (decision.ok) return { name, headers: out };
    onRateLimited?.(name);
    throw new HttpError(
      429,
      `tenant "${name}" is over its feedback posts per minute (${perMinute}); retry in ${seconds(decision.retryAfterMs)} s`,
      {
        type: "requests",
        code: "rate_limit_exceeded",
        headers: {
          ...out,
          "retry-after": seconds(decision.retryAfterMs),
          "retry-after-ms": String(decision.retryAfterMs),
        },
      },
    );
  }

  /** Records what the crowd of an answered request cost: a running mean that {@link holdCrowd} holds at least. */
  observeCrowdCost(usd: number): void {
    if (!Number.isFinite(usd) || usd < 0) return;
    this.crowdCostMean = this.crowdCostMean === undefined ? usd : 0.9 * this.crowdCostMean + 0.1 * usd;
  }

  /**
   * The ledger of one admitted request: the tenant's own budget (the crowd is held on it), the pyramid's shared
   * budget, and both together for escalations (one atomic script when both are in Redis). Release it when the request
   * is done (`ledger.release()`).
   */
  ledgerFor(admitted: AdmittedTenant): Ledger {
    return new BudgetLedger({
      account: admitted.name,
      ...(admitted.ownBudget ? { own: admitted.ownBudget } : {}),
      ...(this.pyramidBudget ? { shared: this.pyramidBudget } : {}),
      ...(admitted.budget ? { combined: admitted.budget } : {}),
    });
  }

  /**
   * Holds a request's crowd cost on its tenant's own budget through `ledger` before it runs (the larger of
   * `estimateUsd`, from the prompt and the members' prices, and the running mean of answered requests' crowd cost),
   * so that concurrent requests see each other and a tenant is refused before its crowd would overspend: a 402
   * naming what is left and what the crowd is expected to cost. The crowd tier settles the hold with its real cost;
   * `ledger.release()` ends it when the crowd never ran.
   */
  async holdCrowd(admitted: AdmittedTenant, ledger: Ledger, estimateUsd: number, ttlMs?: number): Promise<void> {
    const budget = admitted.ownBudget;
    const usd = Math.max(estimateUsd, this.crowdCostMean ?? 0);
    if (!budget || !(usd > 0)) return;
    const held = await this.store(() => ledger.hold(usd, ttlMs !== undefined ? { ttlMs } : {}), admitted.headers);
    if (!held || held.ok) return;
    const left = Math.max(0, held.remainingUsd);
    throw budgetRefusal(
      budget,
      `tenant "${admitted.name}" has ${left.toFixed(6)} USD left of its budget of ${budget.limitUsd} USD (${budget.window}), less than this request's crowd can cost (up to ${usd.toFixed(6)} USD)`,
      { ...admitted.headers, [BUDGET_REMAINING_HEADER]: left.toFixed(6) },
    );
  }

  /**
   * Runs a call to the budget or rate-limit store: when it fails (Redis down), a 503 with `retry-after`
   * ({@link STORE_RETRY_AFTER_S} s) by default, or undefined (the check is skipped) when the gate fails open.
   */
  private async store<T>(call: () => Promise<T> | undefined, headers: Record<string, string>): Promise<T | undefined> {
    try {
      return await call();
    } catch (error) {
      if (this.failOpen) return undefined;
      throw new HttpError(503, "the budget store is unavailable; retry later", {
        type: "server_error",
        code: "budget_store_unavailable",
        headers: { ...headers, "retry-after": String(STORE_RETRY_AFTER_S) },
        detail: `budget store: ${error instanceof Error ? error.message : String(error)}`,
      });
    }
  }

  /** Records the tokens an admitted request used (its tokens-per-minute bucket). */
  async recordTokens(tenant: AdmittedTenant, tokens: number): Promise<void> {
    await this.limiter.recordTokens(tenant.limits, tokens);
  }

  /** Every tenant with a budget of its own, for the budget-remaining gauge. */
  budgets(): Array<[string, Budget]> {
    return this.tenants.flatMap(({ tenant }) =>
      tenant.budget ? [[tenant.name, tenant.budget] as [string, Budget]] : [],
    );
  }
}
