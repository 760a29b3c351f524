import type { EvalTraceLine } from "../../core/trace_schema.js";
import type { GradedQuery } from "./types.js";

/**
 * Converts `traces.jsonl` lines to graded queries. Each member is charged its own `costUsd` from the
 * trace; traces written without it charge each member an equal share of `cost.crowd`. A missing `oracleCorrect` counts as wrong.
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
      cost: c.costUsd ?? (l.candidates.length > 0 ? l.cost.crowd / l.candidates.length : 0),
    })),
  }));
}
