import { worstCaseCallMs } from "./backoff.js";
import type { Member } from "./member.js";

/** Time a reservation outlives the slowest member's worst case, for the queueing and settling around it. */
export const RESERVATION_MARGIN_MS = 10_000;

/**
 * How long a budget reservation for a tier should hold if its process dies before settling it: the tier's
 * slowest worst-case call (every attempt to its timeout, every backoff) plus {@link RESERVATION_MARGIN_MS};
 * undefined when a member has no timeout (the budget's own default then applies).
 */
export function reservationTtlMs(members: readonly Member[]): number | undefined {
  const worst = Math.max(0, ...members.map((member) => worstCaseCallMs(member)));
  return Number.isFinite(worst) ? worst + RESERVATION_MARGIN_MS : undefined;
}
