import { DataFormatError } from "../../errors/index.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import type { TraceDataset } from "../../router/train/dataset.js";
import type { LabelledQuery } from "../labels.js";

/** A weighted, soft-labelled training set from labelled traffic. */
export interface TrafficDataset extends TraceDataset {
  /** Inverse-propensity weights, row order. */
  readonly weights: Float32Array;
  /** Hard labels (crowd wrong), row order. */
  readonly crowdWrong: readonly boolean[];
}

/**
 * The labelled queries as evaluation-style trace lines (for the router bundle's metadata and the calibration inputs):
 * `crowdCorrect` is the uncorrected label, `oracleCorrect` is left out (the apex is the reference).
 */
export function asEvalTraces(rows: readonly LabelledQuery[]): EvalTraceLine[] {
  return rows.map(({ record, crowdWrong }) => {
    const q = record.query;
    return {
      id: q.id,
      benchmark: "traffic",
      featureNames: q.featureNames,
      features: q.features,
      candidates: q.candidates
        .filter((c) => c.tier === 0)
        .map((c) => ({ model: c.model, answer: c.answer, costUsd: c.costUsd })),
      crowdAnswer: q.crowdAnswer,
      crowdCorrect: !crowdWrong,
      pFail: q.pFail ?? Number.NaN,
      threshold: q.threshold ?? Number.NaN,
      escalated: q.escalated,
      finalAnswer: q.finalAnswer,
      correct: q.reachedApex ? true : !crowdWrong,
      cost: {
        crowd: q.cost.crowd,
        oracle: q.reachedApex ? q.cost.oracle : (record.shadow?.costUsd ?? q.cost.oracleOnly),
        total: q.cost.total,
        oracleOnly: q.cost.oracleOnly,
      },
    };
  });
}

/**
 * A dense matrix of the labelled queries' features (`null` = missing), their soft labels and weights.
 *
 * @throws DataFormatError when the queries were recorded with different feature sets.
 */
export function trafficDataset(rows: readonly LabelledQuery[], traces: readonly EvalTraceLine[]): TrafficDataset {
  const featureNames = traces[0].featureNames;
  const cols = featureNames.length;
  const data = new Float32Array(rows.length * cols);
  traces.forEach((trace, row) => {
    if (trace.featureNames.length !== cols || trace.featureNames.some((name, i) => name !== featureNames[i])) {
      throw new DataFormatError("the queries were recorded with different feature sets (a crowd of another size?)", {
        field: `query ${trace.id}`,
        fix: "train on the traces of one pyramid configuration (start a new trace file when the crowd changes)",
      });
    }
    trace.features.forEach((value, col) => {
      data[row * cols + col] = value === null ? Number.NaN : value;
    });
  });
  return {
    featureNames,
    matrix: { data, rows: rows.length, cols },
    labels: Float32Array.from(rows, (row) => row.label),
    weights: Float32Array.from(rows, (row) => row.weight),
    crowdWrong: rows.map((row) => row.crowdWrong),
    traces,
  };
}
