/**
 * Prints the validation figures stored in the shipped router bundles (`routers/*.json`) as a markdown table: for each
 * preset, its threshold and, on the router's calibration rows (out-of-fold predictions of a cross-validation over all
 * its training traces, or a held-out validation split in older bundles), the recall of crowd errors, accuracy and cost
 * saving.
 *
 *   npx tsx scripts/router_table.ts
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { loadRouterBundle } from "../src/router/bundle.js";

const pct = (value: unknown): string => (typeof value === "number" && Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : "n/a");

const rows = ["| router | calibration rows | AUC | preset | threshold | recall of crowd errors | accuracy | cost saving |", "|---|---|---|---|---|---|---|---|"];
for (const file of readdirSync("routers").filter((name) => name.endsWith(".json")).sort()) {
  const bundle = loadRouterBundle(join("routers", file));
  const validation = bundle.metadata.validation;
  const rowsLabel = validation.calibration === "cross-validation" ? `${bundle.metadata.validationRows} (${validation.folds}-fold out-of-fold)` : `${bundle.metadata.validationRows}`;
  for (const [preset, figures] of Object.entries(validation.presets ?? {})) {
    const f = figures as Record<string, unknown>;
    rows.push(
      `| \`${file}\` | ${rowsLabel} | ${Number(validation.auc).toFixed(3)} | ${preset} | ${Number(f.threshold).toFixed(2)} | ${pct(f.recallOfCrowdErrors)} | ${pct(f.accuracy)} | ${pct(f.costSaving)} |`,
    );
  }
  rows.push(`| | | | crowd alone / Oracle alone | | | ${pct(validation.crowdAccuracy)} / ${pct(validation.oracleAccuracy)} | |`);
}
console.log(rows.join("\n"));
