import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { PyramidConfigError } from "../../errors/index.js";
import { diagnoseWorkload } from "../../eval/metrics/diagnosis.js";
import { diagnosisLines, diagnosisMarkdown } from "../../eval/metrics/diagnosis_text.js";
import { diagnosisRowsFromTraffic } from "../../eval/metrics/traffic_diagnosis.js";
import { loadRouterBundle } from "../../router/bundle.js";
import { labelTraffic } from "../../traces/labels.js";
import type { LabelSource } from "../../traces/labels.js";
import { readTraffic } from "../../traces/read.js";
import { writeTrafficReport } from "../../traces/report/write_report.js";
import type { WindowSpec } from "../../traces/report/windows.js";
import { parseCommandArgs } from "../args.js";
import { type CliOptions, optionsHelp } from "../options.js";
import { readChampionHistory, type ChampionComparison } from "../../traces/train/champion.js";
import type { CliCommand } from "../main.js";

/** The flags of `report`: parsed by `parseArgs` and listed by `--help` from this one definition. */
const OPTIONS = {
  traces: { type: "string", value: "<file>", help: "production trace file (required)" },
  out: { type: "string", value: "<dir>", help: "output folder (required)" },
  every: { type: "string", value: "<n>", help: "one window per n queries (default: one per UTC day)" },
  router: {
    type: "string",
    value: "<router.json>",
    help: "the router bundle being served: the expected kept error comes from its preset",
  },
  preset: { type: "string", value: "<name>", help: "preset of --router (default balanced)" },
  "expected-kept-error": {
    type: "string",
    value: "<f>",
    help: "or give the expected error of kept answers directly (a fraction)",
  },
  labels: { type: "string", value: "<source>", help: "apex | feedback | auto (default auto)" },
  champion: {
    type: "string",
    value: "<history.jsonl>",
    help: "the champion/challenger comparisons of `train --labels ... --champion` (the\n<out>.champion.jsonl it appends to): shown over time and written to champion.md",
  },
  "no-png": { type: "boolean", help: "SVGs only" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies CliOptions;

const USAGE = `Usage: pyramid-moa report --traces <traffic.jsonl> --out <dir> [options]

Reads production traces (serve --traces; every worker and rotated file) and writes, per UTC day or per N queries:
the escalation rate, the estimated error of kept answers (from their shadow calls and feedback, 95% interval), the
estimated accuracy relative to the apex alone, the saving, and P_fail against the observed error; report.md,
report.json, windows.svg/.png and calibration.svg/.png, and diagnosis.md: the workload diagnosis (does a threshold
reach the apex's answers with a saving, each member's agreement with the apex and marginal value to the vote, a
recommendation) from the queries the apex answered, escalated or shadowed. A window is flagged when its kept error is above the
preset's calibrated value (the lower end of its 95% interval above it).

${optionsHelp(OPTIONS, 26)}`;

function fraction(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !(value >= 0 && value <= 1))
    throw new PyramidConfigError(`expected a fraction from 0 to 1, got "${text}"`, { field: flag, fix: "e.g. 0.05" });
  return value;
}

/** The champion/challenger comparisons over time, one table row each (markdown). */
export function championTable(history: readonly ChampionComparison[]): string {
  if (history.length === 0) return "champion vs challenger: no comparison yet";
  const f = (x: number | null, sign = true): string =>
    x === null ? "n/a" : `${sign && x >= 0 ? "+" : ""}${x.toFixed(3)}`;
  return [
    "| time | labelled | challenger AUC | champion AUC | difference (interval) | decision |",
    "|---|---:|---:|---:|---|---|",
    ...history.map(
      (c) =>
        `| ${c.time} | ${c.labelledQueries} | ${f(c.challengerAuc, false)} | ${f(c.championAuc, false)} | ${f(c.difference)} (${f(c.lower)} to ${f(c.upper)}) | ${c.replaced ? "replaced" : "champion kept"} |`,
    ),
  ].join("\n");
}

/** The error of kept answers a router bundle's preset was calibrated to: crowd errors not escalated, over kept queries. */
export function presetKeptError(routerFile: string, preset: string): number {
  const bundle = loadRouterBundle(routerFile);
  const validation = bundle.metadata.validation as Record<string, unknown>;
  const figures =
    (validation.presets as Record<string, Record<string, unknown>> | undefined)?.[preset] ??
    (validation.guaranteedPresets as Record<string, Record<string, unknown>> | undefined)?.[preset];
  const crowdErrorRate = validation.crowdErrorRate;
  if (
    !figures ||
    typeof crowdErrorRate !== "number" ||
    typeof figures.recallOfCrowdErrors !== "number" ||
    typeof figures.escalationRate !== "number"
  ) {
    throw new PyramidConfigError(`the router bundle has no calibration figures for preset "${preset}"`, {
      field: "--preset",
      fix: `use one of ${Object.keys(bundle.presets).join(", ")}, or pass --expected-kept-error`,
    });
  }
  const kept = 1 - figures.escalationRate;
  return kept > 0 ? (crowdErrorRate * (1 - figures.recallOfCrowdErrors)) / kept : 0;
}

/** `pyramid-moa report`: drift and savings report of production traffic. */
export const reportCommand: CliCommand = {
  summary: "report escalation, accuracy vs apex, saving and drift from production traces",
  options: OPTIONS,
  async run(argv) {
    const { values } = parseCommandArgs("report", {
      args: [...argv],
      options: OPTIONS,
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    if (!values.traces || !values.out) {
      console.error(`pyramid-moa report: --traces and --out are required.\n\n${USAGE}`);
      return 2;
    }
    let windows: WindowSpec = { by: "day" };
    if (values.every !== undefined) {
      const n = Number(values.every);
      if (!(Number.isInteger(n) && n >= 1))
        throw new PyramidConfigError(`expected a whole number >= 1, got "${values.every}"`, {
          field: "--every",
          fix: "e.g. --every 500",
        });
      windows = { by: "count", n };
    }
    const labels = values.labels ?? "auto";
    if (labels !== "apex" && labels !== "feedback" && labels !== "auto") {
      throw new PyramidConfigError(`expected apex, feedback or auto, got "${labels}"`, {
        field: "--labels",
        fix: "e.g. --labels auto",
      });
    }
    const preset = values.preset ?? "balanced";
    const expected =
      fraction(values["expected-kept-error"], "--expected-kept-error") ??
      (values.router ? presetKeptError(values.router, preset) : undefined);
    const log = readTraffic(values.traces);
    const sample = labelTraffic(log.records, labels as LabelSource);
    const report = await writeTrafficReport(log, sample, {
      outDir: values.out,
      windows,
      expectedKeptError: expected,
      expectedSource: values.router
        ? `${values.router}, preset ${preset}`
        : values["expected-kept-error"]
          ? "--expected-kept-error"
          : undefined,
      png: !values["no-png"],
    });
    console.log(
      `${log.records.length} queries in ${log.files.length} file(s), ${sample.rows.length} labelled, ${report.windows.length} window(s)`,
    );
    if (report.flagged.length > 0)
      console.log(`FLAGGED: kept error above ${(100 * (expected ?? 0)).toFixed(1)}% in ${report.flagged.join(", ")}`);
    const rows = diagnosisRowsFromTraffic(log.records);
    if (rows.length > 0) {
      const diagnosis = diagnoseWorkload(rows);
      const file = join(values.out, "diagnosis.md");
      writeFileSync(file, diagnosisMarkdown(diagnosis, "Traffic: workload diagnosis (apex-labelled queries)"));
      console.log(
        `${rows.length} queries labelled by the apex (escalated, or shadowed and weighted by 1/rate), the apex taken as the truth:`,
      );
      console.log(diagnosisLines(diagnosis).join("\n"));
      report.files.push(file);
    } else {
      console.log("Workload diagnosis: no query was answered by the apex (escalated or shadowed); turn shadowing on.");
    }
    const files = [...report.files];
    if (values.champion) {
      const text = championTable(readChampionHistory(values.champion));
      const file = join(values.out, "champion.md");
      writeFileSync(file, `# Champion and challenger\n\n${text}\n`);
      files.push(file);
      console.log(text);
    }
    console.log(`wrote ${files.join(", ")}`);
    return 0;
  },
};
