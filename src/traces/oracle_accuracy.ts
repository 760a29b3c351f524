import { wilsonInterval } from "../router/calibration/reliability.js";
import type { TrafficRecord } from "./read.js";

/** The apex's accuracy (`P_oracle`) estimated from production feedback, with its interval. */
export interface OracleAccuracyEstimate {
  /** Weighted share of the judged apex answers that were right. */
  readonly estimate: number;
  /** Lower end of the 95% Wilson interval (on the effective number of judged answers). */
  readonly lower: number;
  /** Upper end of the 95% Wilson interval. */
  readonly upper: number;
  /** Queries whose apex answer the feedback judges. */
  readonly judged: number;
  /** Effective sample size of the weighted judged answers (Kish): what the interval is computed on. */
  readonly effective: number;
}

/**
 * Whether the apex's answer to `record` was right, as far as its feedback tells, with the weight of the query
 * (1 / probability that the apex answered it: 1 escalated, 1 / shadow rate shadowed); undefined when it cannot tell.
 *
 * - Escalated, the apex's answer returned, feedback given: the feedback judges the apex's answer.
 * - Kept and shadowed, feedback on the crowd's answer: a right crowd answer makes the apex right iff it agreed; a
 *   wrong one that the apex agreed with makes the apex wrong; a wrong one the apex disagreed with tells nothing.
 */
function apexJudgement(record: TrafficRecord): { right: boolean; weight: number } | undefined {
  const { query, shadow, feedback } = record;
  if (!feedback) return undefined;
  if (query.reachedApex) {
    if (query.apexAnswer === null || query.finalAnswer !== query.apexAnswer) return undefined;
    return { right: feedback.correct, weight: 1 };
  }
  if (!shadow || shadow.agrees === null || query.shadowRate <= 0) return undefined;
  if (query.finalAnswer !== query.crowdAnswer) return undefined;
  const weight = 1 / query.shadowRate;
  if (feedback.correct) return { right: shadow.agrees, weight };
  return shadow.agrees ? { right: false, weight } : undefined;
}

/**
 * Estimates `P_oracle`, the apex's accuracy over all traffic, from the queries whose feedback judges the apex's
 * answer (escalated ones, and shadowed ones as `apexJudgement` reads them), each weighted by the inverse of
 * the probability that the apex answered it, so that the hard (escalated) queries do not stand for all of them.
 * Assumes feedback is given independently of whether the answer was right. Undefined when nothing is judged.
 */
export function estimateOracleAccuracy(records: readonly TrafficRecord[]): OracleAccuracyEstimate | undefined {
  let judged = 0;
  let total = 0;
  let squares = 0;
  let right = 0;
  for (const record of records) {
    const judgement = apexJudgement(record);
    if (!judgement) continue;
    judged++;
    total += judgement.weight;
    squares += judgement.weight * judgement.weight;
    if (judgement.right) right += judgement.weight;
  }
  if (judged === 0) return undefined;
  const p = right / total;
  const n = (total * total) / squares;
  const [lower, upper] = wilsonInterval(p * n, n, 0.95);
  return { estimate: p, lower, upper, judged, effective: n };
}
