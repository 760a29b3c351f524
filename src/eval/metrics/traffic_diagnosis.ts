import type { TrafficRecord } from "../../traces/read.js";
import type { WeightedQuery } from "./diagnosis.js";

/** The apex's answer on a query and the query's weight, when the traffic holds one (escalated or shadowed). */
function apexLabel(record: TrafficRecord): { answer: string; weight: number } | undefined {
  const { query, shadow } = record;
  if (query.reachedApex) return query.apexAnswer === null ? undefined : { answer: query.apexAnswer, weight: 1 };
  if (!query.escalated && shadow && shadow.apexAnswer !== null && query.shadowRate > 0) {
    return { answer: shadow.apexAnswer, weight: 1 / query.shadowRate };
  }
  return undefined;
}

/**
 * Graded queries for {@link diagnoseWorkload} from production traffic labelled by the apex: every query the apex
 * answered, escalated (weight 1) or shadowed (weight 1 / shadow rate, so that the sample stands for all kept
 * traffic). The apex is taken as the truth: a member is right when its answer key equals the apex's, the Oracle is
 * right by construction, so "the Oracle's accuracy" means agreeing with the apex.
 */
export function diagnosisRowsFromTraffic(records: readonly TrafficRecord[]): WeightedQuery[] {
  const rows: WeightedQuery[] = [];
  for (const record of records) {
    const label = apexLabel(record);
    if (!label) continue;
    const { query } = record;
    const crowd = query.candidates.filter((candidate) => candidate.tier === 0);
    rows.push({
      weight: label.weight,
      query: {
        id: query.id,
        pFail: query.pFail ?? 1,
        crowdCorrect: query.crowdAnswer !== null && query.crowdAnswer === label.answer,
        oracleCorrect: true,
        crowdCost: query.cost.crowd,
        oracleCost: query.cost.oracleOnly,
        members: crowd.map((candidate) => ({
          model: candidate.model,
          answer: candidate.answer,
          correct: candidate.answer !== null && candidate.answer === label.answer,
          cost: candidate.costUsd,
        })),
      },
    });
  }
  return rows;
}
