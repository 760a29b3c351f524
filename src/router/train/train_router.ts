import type { EvalTraceLine } from "../../core/trace_schema.js";
import { trainWithCrossValidation } from "./cross_validation.js";
import { parseTrace, readTraces, tracesToDataset } from "./dataset.js";
import { parseOptions, type TrainRouterOptions, type TrainRouterResult } from "./options.js";
import { trainWithValidation } from "./validation.js";

/**
 * Trains a router with the real XGBoost library (libxgboost through koffi) on graded traces
 * (label `crowdCorrect ? 0 : 1`, `null` features as missing), then calibrates the presets
 * (`economy`, `balanced`, `baseline-match`) and records AUC, log-loss and each preset's recall of
 * crowd errors, accuracy and cost saving in `metadata.validation`; feature importance is XGBoost's
 * gain.
 *
 * - `calibration: "cross-validation"` (default): `folds` stratified folds (seeded by `seed`); for each
 *   fold a booster is trained on the other folds, early-stopping on an inner `validationFraction`
 *   split of them (so the held fold stays clean), and predicts the held fold. The presets and figures
 *   come from the out-of-fold predictions of every trace (`metadata.validationRows` = all traces,
 *   `metadata.validation.calibration` = `"cross-validation"`, `.folds`). The returned model is trained
 *   on all traces for the median of the folds' best rounds (`metadata.rounds.folds`), without early
 *   stopping.
 * - `calibration: "validation"`: the traces are shuffled with `seed` and `validationFraction` of them
 *   held out; boosting stops early on the held-out log-loss, the model is cut to its best round and
 *   the presets are calibrated on the held-out rows.
 *
 * The calibration rows (out-of-fold predictions, or the validation split) also fit the monotone `P_fail` calibration
 * stored in the bundle (`pFailCalibration`, isotonic by default) and applied by the returned router; the presets are
 * thresholds on the calibrated `P_fail`, chosen so that each target holds in 90% of bootstrap resamples of those rows
 * (`DEFAULT_PRESET_SPECS`), with their intervals in `metadata.validation.presets`.
 *
 * The result is deterministic for a seed (byte-for-byte the same bundle) and does not depend on the order of the
 * traces: they are put in order of `id` before the split or the folds are drawn.
 *
 * @throws MissingDependencyError when libxgboost cannot be loaded (`apt-get install -y libxgboost0`).
 * @throws DataFormatError for unusable traces (malformed, mixed feature sets, one class only, too few
 *   for the split or the folds).
 */
export function trainRouter(options: TrainRouterOptions): TrainRouterResult {
  const o = parseOptions(options);
  const at = (i: number): string => (o.tracesFile ? `${o.tracesFile} (trace ${i + 1})` : `traces[${i}]`);
  const given: EvalTraceLine[] = o.tracesFile
    ? readTraces(o.tracesFile)
    : (o.traces ?? []).map((trace, i) => parseTrace(trace, `traces[${i}]`));
  // Canonical order (by id, stable): splits and folds then do not depend on the order the traces were written in.
  const order = given
    .map((_, i) => i)
    .sort((a, b) => (given[a].id < given[b].id ? -1 : given[a].id > given[b].id ? 1 : a - b));
  const traces = order.map((i) => given[i]);
  const where = (i: number): string => at(order[i]);
  const dataset = tracesToDataset(traces, where);
  return o.calibration === "validation"
    ? trainWithValidation(o, traces, dataset, where)
    : trainWithCrossValidation(o, traces, dataset, where);
}
