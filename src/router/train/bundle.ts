import { basename } from "node:path";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import type { CalibratedPresets } from "../../policy/presets.js";
import type { PFailCalibration } from "../calibration/calibrator.js";
import type { RuleOffset } from "../rule_offset.js";
import { ROUTER_BUNDLE_FORMAT, ROUTER_BUNDLE_VERSION, type RouterBundle } from "../bundle.js";
import type { TraceDataset } from "./dataset.js";
import type { LibXGBoost } from "./libxgboost.js";
import type { Params, ParsedOptions } from "./options.js";

/** Name written to `metadata.createdBy`. */
export const ROUTER_CREATED_BY = "pyramid-moa trainRouter";

/** The crowd's member names when every trace lists the same members in the same order (else nothing). */
function memberNamesOf(traces: readonly EvalTraceLine[]): { members?: string[] } {
  const first = traces[0]?.candidates.map((c) => c.model);
  if (!first || first.length === 0) return {};
  const key = first.join("\u0000");
  return traces.every((t) => t.candidates.map((c) => c.model).join("\u0000") === key) ? { members: first } : {};
}

/** The data set's name for the metadata: the option, else the traces' one benchmark, else the file name. */
function datasetNameOf(o: ParsedOptions, traces: readonly EvalTraceLine[]): string {
  return (
    o.dataset ??
    (new Set(traces.map((t) => t.benchmark)).size === 1 ? traces[0].benchmark : undefined) ??
    (o.tracesFile ? basename(o.tracesFile) : "traces")
  );
}

/** The router bundle of a trained model: format, feature names, model, presets and metadata. */
export function bundleOf(
  o: ParsedOptions,
  traces: readonly EvalTraceLine[],
  dataset: TraceDataset,
  lib: LibXGBoost,
  parts: {
    model: unknown;
    /** The agreement rule's offset the trees correct (absent: the model predicts alone). */
    ruleOffset?: RuleOffset;
    presets: CalibratedPresets["presets"];
    pFailCalibration?: PFailCalibration;
    validation: Record<string, unknown>;
    trainRows: number;
    validationRows: number;
    params: Params;
    rounds: Record<string, unknown> & { best: number; trained: number; max: number };
    importance: Record<string, number>;
  },
): RouterBundle {
  return {
    format: ROUTER_BUNDLE_FORMAT,
    version: ROUTER_BUNDLE_VERSION,
    featureNames: [...dataset.featureNames],
    model: parts.model,
    ...(parts.ruleOffset ? { ruleOffset: parts.ruleOffset } : {}),
    ...(parts.pFailCalibration ? { pFailCalibration: parts.pFailCalibration } : {}),
    presets: parts.presets,
    metadata: {
      dataset: datasetNameOf(o, traces),
      ...memberNamesOf(traces),
      createdBy: `${ROUTER_CREATED_BY} (libxgboost ${lib.version.join(".")})`,
      trainRows: parts.trainRows,
      validationRows: parts.validationRows,
      seed: o.seed,
      params: parts.params,
      rounds: parts.rounds,
      validation: parts.validation as RouterBundle["metadata"]["validation"],
      importance: parts.importance,
    },
  };
}
