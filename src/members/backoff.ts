import type { Member } from "./member.js";

/**
 * The delay before retry number `retry` (1-based) of `member`: `backoffMs * 2^(retry-1)`; with `jitter`,
 * drawn uniformly from the upper half of that ("equal jitter"), so that members failing together do not
 * retry in lockstep while the worst case stays the same.
 */
export function backoffDelayMs(
  member: Pick<Member, "backoffMs" | "jitter">,
  retry: number,
  random: () => number = Math.random,
): number {
  const delay = member.backoffMs * 2 ** (retry - 1);
  return member.jitter ? delay * (0.5 + 0.5 * random()) : delay;
}

/**
 * The longest one call of `member` can take once it holds its concurrency slot: every attempt runs to its
 * timeout and every retry waits its longest backoff. `Infinity` when the member has no timeout.
 */
export function worstCaseCallMs(member: Pick<Member, "timeoutMs" | "retries" | "backoffMs">): number {
  if (member.timeoutMs === undefined) return Number.POSITIVE_INFINITY;
  let total = (member.retries + 1) * member.timeoutMs;
  for (let retry = 1; retry <= member.retries; retry++) total += member.backoffMs * 2 ** (retry - 1);
  return total;
}

/** Longest wait a `Retry-After` hint can impose before a retry: one minute. */
export const MAX_RETRY_AFTER_MS = 60_000;

type HeaderBag = { get(name: string): string | null } | Record<string, unknown>;

function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const bag = headers as HeaderBag;
  if (typeof bag.get === "function") {
    const value: unknown = (bag as { get(name: string): unknown }).get(name);
    return typeof value === "string" ? value : undefined;
  }
  for (const [key, value] of Object.entries(bag)) {
    if (key.toLowerCase() !== name) continue;
    if (typeof value === "string") return value;
    if (typeof value === "number") return String(value);
    if (Array.isArray(value) && typeof value[0] === "string") return value[0];
  }
  return undefined;
}

function parseRetryAfter(headers: unknown, now: number): number | undefined {
  const ms = headerValue(headers, "retry-after-ms")?.trim();
  if (ms && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  const value = headerValue(headers, "retry-after")?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  if (!/[a-z]/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The wait in milliseconds a failed call's server asked for, or `undefined`: the `retry-after-ms` header
 * (OpenAI), else `Retry-After` in seconds or as an HTTP date (past dates give 0). Headers are looked up on
 * `error.headers` (the OpenAI client's `Headers`, or a plain object, any case) and `error.response.headers`
 * (fetch/axios style), following `error.cause` a few levels.
 */
export function retryAfterMs(error: unknown, now: number = Date.now()): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === "object" && current !== null; depth++) {
    const record = current as Record<string, unknown>;
    const response = record.response;
    const fromResponse =
      typeof response === "object" && response !== null ? (response as Record<string, unknown>).headers : undefined;
    const hinted = parseRetryAfter(record.headers, now) ?? parseRetryAfter(fromResponse, now);
    if (hinted !== undefined) return hinted;
    if (record.cause === current) break;
    current = record.cause;
  }
  return undefined;
}

/**
 * The wait before retry number `retry` (1-based) after `error`, `elapsedMs` into the call. Without a
 * `Retry-After` hint: {@link backoffDelayMs}. With one: the hinted wait instead, capped at
 * {@link MAX_RETRY_AFTER_MS} and by the member's remaining time budget, i.e. what {@link worstCaseCallMs}
 * leaves once the attempts and backoffs still to come are set aside (so a hint never stretches a call past
 * its worst case; when that budget is spent the retry is immediate).
 */
export function retryDelayMs(
  member: Pick<Member, "backoffMs" | "jitter" | "retries" | "timeoutMs">,
  retry: number,
  error: unknown,
  elapsedMs: number,
  random: () => number = Math.random,
): number {
  const hinted = retryAfterMs(error);
  if (hinted === undefined) return backoffDelayMs(member, retry, random);
  let budget = Number.POSITIVE_INFINITY;
  if (member.timeoutMs !== undefined) {
    budget = worstCaseCallMs(member) - elapsedMs - (member.retries - retry + 1) * member.timeoutMs;
    for (let later = retry + 1; later <= member.retries; later++) budget -= member.backoffMs * 2 ** (later - 1);
  }
  return Math.max(0, Math.min(hinted, MAX_RETRY_AFTER_MS, budget));
}
