import { DataFormatError } from "../../errors/index.js";
import { evalTraceLineSchema, type EvalTraceLine } from "../../core/trace_schema.js";
import type { DenseMatrix } from "./booster.js";
import { readTextFile } from "../../utils/read_text.js";
import { issuesText, validate } from "../../errors/validate.js";

/**
 * Reads a traces JSONL file (one {@link EvalTraceLine} per line; blank lines skipped).
 *
 * @throws DataFormatError naming `file:line` for invalid JSON or a line that is not a trace.
 */
export function readTraces(path: string): EvalTraceLine[] {
  const text = readTextFile(path, {
    error: DataFormatError,
    what: "traces file",
    fix: "pass the traces.jsonl written by `pyramid-moa eval`.",
  });
  const traces: EvalTraceLine[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim().length === 0) return;
    const where = `${path}:${index + 1}`;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (cause) {
      throw new DataFormatError("not valid JSON.", { field: where, fix: "each line must be one JSON trace.", cause });
    }
    traces.push(parseTrace(json, where));
  });
  return traces;
}

/** Validates one trace object; `where` names it in errors (e.g. `file:line` or `traces[3]`). */
export function parseTrace(json: unknown, where: string): EvalTraceLine {
  return validate(evalTraceLineSchema, json, {
    error: DataFormatError,
    field: () => where,
    message: (issues) => `not a trace line: ${issuesText(issues.slice(0, 1))}.`,
    fix: "traces must follow EvalTraceLine (src/core/trace_schema.ts), as written by `pyramid-moa eval`.",
  });
}

/** Training data extracted from traces: features (NaN for null), labels and calibration inputs. */
export interface TraceDataset {
  /** Feature names shared by every trace. */
  readonly featureNames: readonly string[];
  /** One row per trace. */
  readonly matrix: DenseMatrix;
  /** `1` when the crowd's majority answer is wrong (the router predicts P_fail), else `0`. */
  readonly labels: Float32Array;
  /** The traces, row order. */
  readonly traces: readonly EvalTraceLine[];
}

/**
 * Turns traces into a dense matrix: `null` features become NaN (missing), the label is
 * `crowdCorrect ? 0 : 1`.
 *
 * @param names How to name a trace in errors, by index (default `traces[i]`).
 * @throws DataFormatError when there are no traces, or a trace's feature names differ from the
 *   first trace's, or its values do not match its names.
 */
export function tracesToDataset(
  traces: readonly EvalTraceLine[],
  names: (index: number) => string = (i) => `traces[${i}]`,
): TraceDataset {
  if (traces.length === 0) {
    throw new DataFormatError("there are no traces to train on.", {
      field: "traces",
      fix: "run `pyramid-moa eval` to record graded traces first.",
    });
  }
  const featureNames = traces[0].featureNames;
  if (featureNames.length === 0) {
    throw new DataFormatError("the traces have no features.", { field: names(0), fix: "record traces with features." });
  }
  const cols = featureNames.length;
  const data = new Float32Array(traces.length * cols);
  const labels = new Float32Array(traces.length);
  traces.forEach((trace, row) => {
    const mismatch = trace.featureNames.findIndex((name, i) => name !== featureNames[i]);
    if (trace.featureNames.length !== cols || mismatch >= 0) {
      const at = mismatch >= 0 ? mismatch : Math.min(cols, trace.featureNames.length);
      throw new DataFormatError(
        `feature names differ from the first trace's at position ${at} ("${trace.featureNames[at] ?? "(none)"}" vs "${featureNames[at] ?? "(none)"}").`,
        { field: names(row), fix: "train on traces recorded with one feature set." },
      );
    }
    if (trace.features.length !== cols) {
      throw new DataFormatError(`${trace.features.length} feature values for ${cols} feature names.`, {
        field: names(row),
        fix: "each trace needs one value (or null) per feature name.",
      });
    }
    trace.features.forEach((value, col) => {
      data[row * cols + col] = value === null ? Number.NaN : value;
    });
    labels[row] = trace.crowdCorrect ? 0 : 1;
  });
  return { featureNames, matrix: { data, rows: traces.length, cols }, labels, traces };
}

/** The rows `indices` of a dense matrix, as a new matrix. */
export function selectRows(matrix: DenseMatrix, indices: readonly number[]): DenseMatrix {
  const data = new Float32Array(indices.length * matrix.cols);
  indices.forEach((row, i) => {
    data.set(matrix.data.subarray(row * matrix.cols, (row + 1) * matrix.cols), i * matrix.cols);
  });
  return { data, rows: indices.length, cols: matrix.cols };
}
