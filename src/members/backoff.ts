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
