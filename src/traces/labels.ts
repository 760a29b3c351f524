import type { TrafficRecord } from "./read.js";

/** Where the labels come from: the apex's answers (escalated and shadowed queries), feedback, or both. */
export type LabelSource = "apex" | "feedback" | "auto";

/** A query with a label for the crowd's answer, ready for training or reporting. */
export interface LabelledQuery {
  readonly record: TrafficRecord;
  /** Probability that the crowd's majority answer is wrong: 0/1 from feedback, corrected by `P_oracle` from the apex. */
  readonly label: number;
  /** The uncorrected label: the crowd's answer is wrong (feedback) or differs from the apex's. */
  readonly crowdWrong: boolean;
  /** Inverse-propensity weight: 1 / probability that this query got an apex label (1 escalated, 1/rate shadowed). */
  readonly weight: number;
  readonly source: "apex" | "shadow" | "feedback";
}

/** The labelled sample and what it says about the label process. */
export interface LabelledSample {
  readonly rows: LabelledQuery[];
  /** Queries read. */
  readonly queries: number;
  /** `P_oracle` used for the correction. */
  readonly oracleAccuracy: number;
  /** Estimated crowd accuracy against the truth (`(1 - d) / P_oracle`, d the weighted disagreement rate). */
  readonly crowdAccuracy: number;
  /** Label given to a disagreement: `P(crowd wrong | crowd != apex) = (1 - crowdAccuracy) / d`. */
  readonly disagreementLabel: number;
}

function apexLabel(record: TrafficRecord): { wrong: boolean; weight: number; source: "apex" | "shadow" } | undefined {
  const { query, shadow } = record;
  if (query.reachedApex) {
    if (query.apexAnswer === null) return undefined;
    return { wrong: query.crowdAnswer !== query.apexAnswer, weight: 1, source: "apex" };
  }
  if (shadow && shadow.agrees !== null && query.shadowRate > 0) {
    return { wrong: query.crowdAnswer === null || !shadow.agrees, weight: 1 / query.shadowRate, source: "shadow" };
  }
  return undefined;
}

/** Whether the crowd's answer was wrong according to the feedback on the returned answer (undefined: cannot tell). */
function feedbackLabel(record: TrafficRecord): boolean | undefined {
  const { query, feedback } = record;
  if (!feedback) return undefined;
  if (query.crowdAnswer === null) return true;
  if (query.finalAnswer === query.crowdAnswer) return !feedback.correct;
  // The returned answer differs from the crowd's: if it was right, the crowd's was wrong (one right answer);
  // if it was wrong, the crowd's may be right or wrong.
  return feedback.correct ? true : undefined;
}

/**
 * Labels production traffic for the router (`P_fail` = probability that the crowd's majority answer is wrong).
 *
 * - `apex`: a query answered by the apex (escalated, propensity 1) or shadowed (propensity = the shadow rate) is
 *   labelled by agreement: the crowd is taken to be wrong when its answer key differs from the apex's (the task's
 *   extractor decides equivalence). Each row weighs `1 / propensity`, so the weighted sample stands for all traffic.
 *   The apex is right only with probability `P_oracle`, so a disagreement is discounted as Equation 5 discounts an
 *   escalation: with `d` the weighted disagreement rate, and assuming a wrong crowd and a wrong apex never give the
 *   same answer and the apex's errors are independent of the crowd's, `P(agree) = c * P_oracle` gives the crowd's
 *   accuracy `c = (1 - d) / P_oracle`, and a disagreement gets the soft label `P(crowd wrong | disagree) =
 *   (1 - c) / d` (1 when `P_oracle = 1`); an agreement gets 0.
 * - `feedback`: only queries with feedback, hard labels, weight 1 (feedback is assumed given independently of the
 *   features).
 * - `auto`: feedback where there is some (it overrides the apex), the apex elsewhere.
 */
export function labelTraffic(
  records: readonly TrafficRecord[],
  source: LabelSource,
  oracleAccuracy = 1,
): LabelledSample {
  const rows: Omit<LabelledQuery, "label">[] = [];
  for (const record of records) {
    const fromFeedback = source === "apex" ? undefined : feedbackLabel(record);
    const fromApex = source === "feedback" ? undefined : apexLabel(record);
    if (fromFeedback !== undefined)
      rows.push({ record, crowdWrong: fromFeedback, weight: fromApex?.weight ?? 1, source: "feedback" });
    else if (fromApex)
      rows.push({ record, crowdWrong: fromApex.wrong, weight: fromApex.weight, source: fromApex.source });
  }
  const apexRows = rows.filter((row) => row.source !== "feedback");
  const total = apexRows.reduce((sum, row) => sum + row.weight, 0);
  const d = total > 0 ? apexRows.reduce((sum, row) => sum + (row.crowdWrong ? row.weight : 0), 0) / total : 0;
  const crowdAccuracy = Math.min(1, Math.max(0, (1 - d) / oracleAccuracy));
  const disagreementLabel = d > 0 ? Math.min(1, Math.max(0, (1 - crowdAccuracy) / d)) : 1;
  return {
    rows: rows.map((row) => ({
      ...row,
      label: row.source === "feedback" ? (row.crowdWrong ? 1 : 0) : row.crowdWrong ? disagreementLabel : 0,
    })),
    queries: records.length,
    oracleAccuracy,
    crowdAccuracy,
    disagreementLabel,
  };
}
