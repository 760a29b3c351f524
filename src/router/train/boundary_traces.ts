import type { EvalTraceLine } from "../../core/trace_schema.js";
import { DataFormatError } from "../../errors/index.js";

/** The number of tiers of a deep pyramid's traces (with `tiers` and `boundaries`), checked to be the same on each. */
export function pyramidDepth(traces: readonly EvalTraceLine[], where: (i: number) => string): number {
  const depth = traces[0]?.tiers?.length ?? 0;
  if (depth < 3) {
    throw new DataFormatError("these are not traces of a pyramid of three or more tiers.", {
      field: where(0),
      fix: 'record them with `pyramid-moa eval --tiers "a,b,c;d;e" --train` (two-tier traces train one router).',
    });
  }
  traces.forEach((trace, i) => {
    if (!trace.tiers || !trace.boundaries || trace.tiers.length !== depth || trace.boundaries.length !== depth - 1) {
      throw new DataFormatError(`not a trace of the same ${depth}-tier pyramid as the first.`, {
        field: where(i),
        fix: "train per boundary on the traces of one `pyramid-moa eval --tiers` run (its train_traces.jsonl).",
      });
    }
  });
  return depth;
}

/**
 * The training traces of boundary `k` of a deep pyramid's traces, in the two-tier format `trainRouter` learns from:
 * the boundary's features (the pool of tiers `0..k`, as the graph computed them), the pool's candidates (so the
 * bundle records the pool's member names), tier k's answer in the crowd's place (the label is whether it is wrong)
 * and tier k+1's in the Oracle's, with tier k's and tier k+1's costs.
 */
export function boundaryTraces(traces: readonly EvalTraceLine[], k: number): EvalTraceLine[] {
  return traces.map((trace) => {
    const tiers = trace.tiers ?? [];
    const boundary = trace.boundaries?.[k];
    const lower = tiers[k];
    const upper = tiers[k + 1];
    if (!boundary || !lower || !upper) {
      throw new DataFormatError(`trace ${trace.id} has no boundary ${k}.`, {
        field: `traces (${trace.id})`,
        fix: "train on the traces of one `pyramid-moa eval --tiers` run.",
      });
    }
    return {
      id: trace.id,
      benchmark: trace.benchmark,
      featureNames: boundary.featureNames,
      features: boundary.features,
      candidates: tiers.slice(0, k + 1).flatMap((tier) => tier.candidates),
      crowdAnswer: lower.answer,
      crowdCorrect: lower.correct,
      oracleAnswer: upper.answer,
      oracleCorrect: upper.correct,
      pFail: boundary.pFail,
      threshold: boundary.threshold,
      escalated: boundary.escalated,
      finalAnswer: boundary.escalated ? upper.answer : lower.answer,
      correct: boundary.escalated ? upper.correct : lower.correct,
      cost: {
        crowd: lower.costUsd,
        oracle: upper.costUsd,
        total: lower.costUsd + (boundary.escalated ? upper.costUsd : 0),
        oracleOnly: upper.costUsd,
      },
    };
  });
}
