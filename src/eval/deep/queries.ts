import type { EvalTraceLine } from "../../core/trace_schema.js";
import { DataFormatError } from "../../errors/index.js";
import type { GradedMember } from "../metrics/types.js";

/** One tier of a graded deep query. */
export interface DeepTier {
  /** Tier name. */
  readonly name: string;
  /** The tier's majority answer (normalized), `null` when it gave none. */
  readonly answer: string | null;
  /** Whether the tier's answer is correct. */
  readonly correct: boolean;
  /** USD of the tier's calls. */
  readonly cost: number;
  /** The members' graded answers. */
  readonly members: readonly GradedMember[];
}

/**
 * One graded query of a deep evaluation run: every tier's graded answer and cost, and each boundary's `P_fail`, so that
 * any routing rule over the tiers can be scored offline.
 */
export interface DeepQuery {
  readonly id: string;
  /** Tiers from the crowd to the apex. */
  readonly tiers: readonly DeepTier[];
  /** `P_fail` of tier k's answer from the router at boundary k (one per tier but the apex). */
  readonly pFail: readonly number[];
}

/**
 * Converts the trace lines of a deep run (with `tiers` and `boundaries`) to graded queries.
 *
 * @throws DataFormatError when a line lacks them or has another number of tiers than the first.
 */
export function deepQueriesFromTraces(lines: readonly EvalTraceLine[]): DeepQuery[] {
  const count = lines[0]?.tiers?.length ?? 0;
  return lines.map((line, i) => {
    if (!line.tiers || !line.boundaries || line.tiers.length !== count || line.boundaries.length !== count - 1) {
      throw new DataFormatError(`trace ${i + 1} (${line.id}) is not a trace of a ${count}-tier pyramid.`, {
        field: `traces[${i}]`,
        fix: "report on the traces.jsonl of one `pyramid-moa eval --tiers` run.",
      });
    }
    return {
      id: line.id,
      tiers: line.tiers.map((tier) => ({
        name: tier.name,
        answer: tier.answer,
        correct: tier.correct,
        cost: tier.costUsd,
        members: tier.candidates.map((c) => ({
          model: c.model,
          answer: c.answer,
          correct: c.correct ?? false,
          cost: c.costUsd ?? 0,
        })),
      })),
      pFail: line.boundaries.map((b) => b.pFail),
    };
  });
}
