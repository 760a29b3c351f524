import { z } from "zod";
import type { Price } from "../../cost/price.js";

/** The crowd schedules: how a tier calls its members. */
export const CROWD_SCHEDULES = ["parallel", "anytime", "waves"] as const;

/**
 * How a tier calls its members: `parallel` (every member at once, the tier waits for all; the default), `anytime`
 * (every member at once, the tier decides as soon as the answers in hand settle its decision and cancels the others
 * through their abort signals) or `waves` (cheapest first, in waves: the smallest number that can form a majority,
 * then one more at a time, the next wave only when the answers so far do not settle the decision).
 */
export type CrowdSchedule = (typeof CROWD_SCHEDULES)[number];

/** zod schema of {@link CrowdSchedule}. */
export const crowdScheduleSchema = z.enum(CROWD_SCHEDULES);

/** The wave sizes of `waves` for a tier of `members`: a majority (`floor(n/2) + 1`) first, then one at a time. */
export function waveSizes(members: number): number[] {
  if (members <= 0) return [];
  const first = Math.min(members, Math.floor(members / 2) + 1);
  return [first, ...new Array<number>(members - first).fill(1)];
}

/** The members' order under `waves`: cheapest first by input + output price, unpriced last, ties in member order. */
export function wavesOrder(prices: readonly (Price | undefined)[]): number[] {
  const key = (i: number): number => {
    const price = prices[i];
    return price ? price.input + price.output : Number.POSITIVE_INFINITY;
  };
  return prices.map((_, i) => i).sort((a, b) => key(a) - key(b) || a - b);
}
