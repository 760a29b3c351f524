import { RATE_PERIOD_MS } from "../limits/rate_limiter.js";
import type { RateDecision, RateLimiter, RateLimits } from "../limits/rate_limiter.js";
import { RedisScript } from "./connection.js";
import type { RedisConnection } from "./connection.js";

const CLOCK = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local period = tonumber(ARGV[3])
local function save(key, tat)
  redis.call('SET', key, string.format('%.3f', tat), 'PX', math.ceil(tat - now) + 1000)
end
`;

/** KEYS: requests, tokens. ARGV: requests per minute, tokens per minute (0 = none), period ms. GCRA, Redis clock. */
const ADMIT_SCRIPT = new RedisScript(`${CLOCK}
local rpm, tpm = tonumber(ARGV[1]), tonumber(ARGV[2])
if tpm > 0 then
  local tat = math.max(tonumber(redis.call('GET', KEYS[2]) or '0'), now)
  local over = tat + period / tpm - now - period
  if over > 0 then return { 0, 'tokens', math.ceil(over) } end
end
if rpm > 0 then
  local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now) + period / rpm
  local over = tat - now - period
  if over > 0 then return { 0, 'requests', math.ceil(over) } end
  save(KEYS[1], tat)
end
return { 1, '', 0 }
`);

/** KEYS: tokens. ARGV: tokens used, tokens per minute, period ms. */
const TOKENS_SCRIPT = new RedisScript(`${CLOCK}
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or '0'), now) + tonumber(ARGV[1]) * period / tonumber(ARGV[2])
save(KEYS[1], tat)
return 1
`);

/**
 * {@link RateLimiter} kept in Redis: every process and machine on the same Redis (and prefix) shares each tenant's
 * buckets. Each check is one Lua script on the Redis clock, so clock skew between machines does not matter.
 */
export class RedisRateLimiter implements RateLimiter {
  /** A limiter on an open connection; keys start with `{prefix}` (default `pyramid-moa`). */
  constructor(
    readonly redis: RedisConnection,
    private readonly prefix = "pyramid-moa",
  ) {}

  private keys(name: string): [string, string] {
    return [`{${this.prefix}}:rate:${name}:requests`, `{${this.prefix}}:rate:${name}:tokens`];
  }

  async admit(limits: RateLimits): Promise<RateDecision> {
    if (!limits.requestsPerMinute && !limits.tokensPerMinute) return { ok: true };
    const reply = (await ADMIT_SCRIPT.run(this.redis, this.keys(limits.name), [
      limits.requestsPerMinute ?? 0,
      limits.tokensPerMinute ?? 0,
      RATE_PERIOD_MS,
    ])) as [number, string, number];
    if (Number(reply[0]) === 1) return { ok: true };
    return { ok: false, limit: reply[1] === "tokens" ? "tokens" : "requests", retryAfterMs: Number(reply[2]) };
  }

  async recordTokens(limits: RateLimits, tokens: number): Promise<void> {
    if (!limits.tokensPerMinute || tokens <= 0) return;
    await TOKENS_SCRIPT.run(this.redis, [this.keys(limits.name)[1]], [tokens, limits.tokensPerMinute, RATE_PERIOD_MS]);
  }
}
