/** A tenant's rate limits (absent = unlimited). */
export interface RateLimits {
  /** Tenant name (part of the keys). */
  readonly name: string;
  /** Requests admitted per minute. */
  readonly requestsPerMinute?: number;
  /** Tokens (prompt + completion, every member) per minute. */
  readonly tokensPerMinute?: number;
}

/** What {@link RateLimiter.admit} answers. */
export type RateDecision =
  | { readonly ok: true }
  | { readonly ok: false; readonly limit: "requests" | "tokens"; readonly retryAfterMs: number };

/**
 * Per-tenant request and token rates with the generic cell rate algorithm (GCRA, a token bucket kept as one
 * timestamp): up to the per-minute limit at once, then one request (or token) every 60 s / limit. A request is
 * admitted when the request bucket has room and the token bucket is not in debt; the tokens a request used are
 * recorded after it answered (they are only known then), so one large answer can put the tenant in debt for a while.
 */
export interface RateLimiter {
  /** Takes one request from `limits.name`'s bucket, or says which limit refused and when to retry. */
  admit(limits: RateLimits): Promise<RateDecision>;
  /** Records `tokens` used by an admitted request. */
  recordTokens(limits: RateLimits, tokens: number): Promise<void>;
}

/** The window the per-minute limits are spread over, in ms. */
export const RATE_PERIOD_MS = 60_000;

/** The GCRA step shared by the in-process limiter and the Redis script: the new arrival time or the wait. */
export function gcraStep(tat: number, now: number, perMinute: number, cost: number): { tat: number; overMs: number } {
  const next = Math.max(tat, now) + (cost * RATE_PERIOD_MS) / perMinute;
  return { tat: next, overMs: next - now - RATE_PERIOD_MS };
}

/** {@link RateLimiter} for one process (the default without a Redis URL). */
export class InProcessRateLimiter implements RateLimiter {
  private readonly requests = new Map<string, number>();
  private readonly tokens = new Map<string, number>();

  /** A limiter; `now` is the clock (tests may replace it). */
  constructor(private readonly now: () => number = Date.now) {}

  async admit(limits: RateLimits): Promise<RateDecision> {
    const now = this.now();
    if (limits.tokensPerMinute) {
      const { overMs } = gcraStep(this.tokens.get(limits.name) ?? 0, now, limits.tokensPerMinute, 1);
      if (overMs > 0) return { ok: false, limit: "tokens", retryAfterMs: Math.ceil(overMs) };
    }
    if (limits.requestsPerMinute) {
      const step = gcraStep(this.requests.get(limits.name) ?? 0, now, limits.requestsPerMinute, 1);
      if (step.overMs > 0) return { ok: false, limit: "requests", retryAfterMs: Math.ceil(step.overMs) };
      this.requests.set(limits.name, step.tat);
    }
    return { ok: true };
  }

  async recordTokens(limits: RateLimits, tokens: number): Promise<void> {
    if (!limits.tokensPerMinute || tokens <= 0) return;
    this.tokens.set(
      limits.name,
      gcraStep(this.tokens.get(limits.name) ?? 0, this.now(), limits.tokensPerMinute, tokens).tat,
    );
  }
}
