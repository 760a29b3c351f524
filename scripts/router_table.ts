/**
 * Prints the validation figures stored in the shipped router bundles (`routers/*.json`) as markdown tables: for each
 * preset, its threshold and, on the router's calibration rows (out-of-fold predictions of a cross-validation over all
 * its training traces, or a held-out validation split in older bundles), the recall of crowd errors, accuracy and cost
 * saving; for bundles of version 2 also the share of bootstrap resamples in which the preset's target held and the
 * percentile intervals of its accuracy, of its accuracy minus the Oracle's (paired) and of its saving; then the P_fail
 * calibration of each bundle (method, ECE and Brier score of the raw and calibrated out-of-fold predictions).
 *
 *   npx tsx scripts/router_table.ts [routers]
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadRouterBundle } from "../src/router/bundle.js";

const dir = process.argv[2] ?? "routers";
const isNum = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const pct = (value: unknown): string => (isNum(value) ? `${(value * 100).toFixed(1)}%` : "n/a");
const pp = (value: unknown): string => (isNum(value) ? `${value >= 0 ? "+" : ""}${(value * 100).toFixed(1)}` : "n/a");
const range = (value: unknown, fmt: (v: unknown) => string): string =>
  Array.isArray(value) && value.length === 2 ? ` [${fmt(value[0])}, ${fmt(value[1])}]` : "";

const rows = [
  "| router | calibration rows | AUC | preset | threshold | target held in | recall of crowd errors | accuracy [interval] | accuracy - Oracle, pp [interval] | cost saving [interval] |",
  "|---|---|---|---|---|---|---|---|---|---|",
];
const calibrationRows = [
  "| router | P_fail calibration | fitted on | ECE raw -> calibrated (cross-fitted) | Brier raw -> calibrated | bootstrap |",
  "|---|---|---|---|---|---|",
];
for (const file of readdirSync(dir)
  .filter((name) => name.endsWith(".json"))
  .sort()) {
  const bundle = loadRouterBundle(join(dir, file));
  const validation = bundle.metadata.validation;
  const rowsLabel =
    validation.calibration === "cross-validation"
      ? `${bundle.metadata.validationRows} (${validation.folds}-fold out-of-fold)`
      : `${bundle.metadata.validationRows}`;
  const oracle = validation.oracleAccuracy;
  for (const [preset, figures] of Object.entries(validation.presets ?? {})) {
    const f = figures as Record<string, unknown>;
    const intervals = (f.intervals ?? {}) as Record<string, unknown>;
    const held = isNum(f.targetProbability)
      ? `${(f.targetProbability * 100).toFixed(1)}%${f.feasible ? "" : " (target missed)"}`
      : "n/a";
    const vsOracle = isNum(f.accuracy) && isNum(oracle) ? pp((f.accuracy as number) - oracle) : "n/a";
    rows.push(
      `| \`${file}\` | ${rowsLabel} | ${Number(validation.auc).toFixed(3)} | ${preset} | ${Number(f.threshold).toFixed(3)} | ${held} | ${pct(f.recallOfCrowdErrors)} | ` +
        `${pct(f.accuracy)}${range(intervals.accuracy, pct)} | ${vsOracle}${range(intervals.accuracyMinusOracle, pp)} | ${pct(f.costSaving)}${range(intervals.costSaving, pct)} |`,
    );
  }
  rows.push(`| | | | crowd alone / Oracle alone | | | | ${pct(validation.crowdAccuracy)} / ${pct(oracle)} | | |`);
  const p = (validation as { pFail?: Record<string, Record<string, number> | string> }).pFail;
  const calibration = bundle.pFailCalibration;
  const boot = validation.bootstrap;
  const fig = (part: string, key: string): string => {
    const v = p?.[part];
    return typeof v === "object" && isNum(v[key]) ? v[key].toFixed(3) : "n/a";
  };
  calibrationRows.push(
    `| \`${file}\` | ${calibration ? calibration.method : "none (version 1 or untrained)"} | ${calibration ? `${calibration.rows} ${calibration.fittedOn}` : ""} | ` +
      `${fig("raw", "ece")} -> ${fig("calibrated", "ece")} (${fig("crossFitted", "ece")}) | ${fig("raw", "brier")} -> ${fig("calibrated", "brier")} | ` +
      `${boot ? `${boot.resamples} resamples, seed ${boot.seed}, ${Math.round(boot.level * 100)}% intervals` : "none"} |`,
  );
}
console.log([...rows, "", ...calibrationRows].join("\n"));
