import type { EvalTraceLine } from "../trace_schema.js";
import type { GradedQuery } from "./types.js";

/**
 * Converts `traces.jsonl` lines to graded queries. Per-member costs are not in the trace format, so
 * each member is charged an equal share of `cost.crowd` (exact when the members cost the same;
 * single-model baseline costs are approximate otherwise). A missing `oracleCorrect` counts as wrong.
 */
export function gradedQueriesFromTraces(lines: readonly EvalTraceLine[]): GradedQuery[] {
  return lines.map((l) => ({
    id: l.id,
    pFail: l.pFail,
    crowdCorrect: l.crowdCorrect,
    oracleCorrect: l.oracleCorrect ?? false,
    crowdCost: l.cost.crowd,
    oracleCost: l.cost.oracle,
    members: l.candidates.map((c) => ({
      model: c.model,
      answer: c.answer,
      correct: c.correct ?? false,
      cost: l.candidates.length > 0 ? l.cost.crowd / l.candidates.length : 0,
    })),
  }));
}
