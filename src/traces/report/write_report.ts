import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { frontierSvg } from "../../plots/frontier_plot.js";
import { svgToPng } from "../../plots/png.js";
import type { LabelledSample } from "../labels.js";
import type { TrafficLog } from "../read.js";
import { reliabilityBins, trafficWindows } from "./windows.js";
import type { WindowReport, WindowSpec } from "./windows.js";

/** Options of {@link writeTrafficReport}. */
export interface TrafficReportOptions {
  readonly outDir: string;
  readonly windows: WindowSpec;
  /** The preset's calibrated error of kept answers; windows above it are flagged. */
  readonly expectedKeptError?: number;
  /** Where `expectedKeptError` comes from, for the text (e.g. `router.json, preset balanced`). */
  readonly expectedSource?: string;
  /** Also write PNGs (default true; needs @resvg/resvg-js). */
  readonly png?: boolean;
}

/** What {@link writeTrafficReport} wrote. */
export interface TrafficReport {
  readonly windows: WindowReport[];
  readonly flagged: string[];
  readonly files: string[];
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : "n/a";
}

/** A probability to 3 decimals, `n/a` when undefined (a window without labelled queries). */
function prob(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3) : "n/a";
}

/** The report as Markdown: one row per window, flagged windows marked. */
export function trafficReportMarkdown(
  windows: readonly WindowReport[],
  sample: LabelledSample,
  options: TrafficReportOptions,
): string {
  const lines = [
    "# Traffic report",
    "",
    `${sample.queries} queries, ${sample.rows.length} labelled (escalated or shadowed: the apex's answer; feedback). Accuracy is relative to the apex alone (1 - kept share x kept error); P_fail vs error are IPW-weighted over the labelled queries.`,
    options.expectedKeptError !== undefined
      ? `Expected error of kept answers: ${pct(options.expectedKeptError)}${options.expectedSource ? ` (${options.expectedSource})` : ""}; a window is flagged (!) when the lower end of its 95% interval is above it.`
      : "No expected kept error given (--router with --preset, or --expected-kept-error): no window is flagged.",
    "",
    "| window | queries | escalated | kept labelled | kept error (95% CI) | accuracy vs apex | saving | mean P_fail | observed error | shadow USD | flag |",
    "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const w of windows) {
    lines.push(
      `| ${w.label} | ${w.queries} | ${pct(w.escalationRate)} | ${w.keptLabelled} | ${pct(w.keptError)} (${pct(w.keptErrorInterval.low)}-${pct(w.keptErrorInterval.high)}) | ${pct(w.accuracyVsApex)} | ${pct(w.saving)} | ${prob(w.meanPFail)} | ${prob(w.observedError)} | ${w.shadowCostUsd.toFixed(6)} | ${w.flagged ? "!" : ""} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Writes the traffic report into `outDir`: `report.md` and `report.json` (per window: escalation rate, kept error with
 * its interval, accuracy relative to the apex alone, saving, P_fail against the observed error, flag), `windows.svg`
 * (those rates by window, flagged windows marked, the expected kept error as a line) and `calibration.svg` (the
 * weighted reliability of P_fail), with PNGs.
 */
export async function writeTrafficReport(
  log: TrafficLog,
  sample: LabelledSample,
  options: TrafficReportOptions,
): Promise<TrafficReport> {
  const windows = trafficWindows(log.records, sample, options.windows, options.expectedKeptError);
  mkdirSync(options.outDir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, content: string | Buffer): void => {
    const path = join(options.outDir, name);
    writeFileSync(path, content);
    files.push(path);
  };
  const at = (pick: (w: WindowReport) => number) => windows.map((w, i) => ({ x: i + 1, y: pick(w) }));
  const windowsSvg = frontierSvg(
    [
      { name: "escalation rate", points: at((w) => w.escalationRate), kind: "line" },
      { name: "accuracy vs apex alone", points: at((w) => w.accuracyVsApex), kind: "line" },
      { name: "saving", points: at((w) => w.saving), kind: "line" },
      { name: "kept error", points: at((w) => w.keptError), kind: "line" },
      ...(options.expectedKeptError !== undefined
        ? [
            {
              name: "expected kept error",
              points: windows.map((_, i) => ({ x: i + 1, y: options.expectedKeptError as number })),
              kind: "line" as const,
            },
          ]
        : []),
      {
        name: "flagged window",
        points: windows.flatMap((w, i) => (w.flagged ? [{ x: i + 1, y: w.keptError }] : [])),
        kind: "points",
      },
    ],
    {
      title: `Traffic by window (${options.windows.by === "day" ? "UTC day" : `${options.windows.n} queries`})`,
      xLabel: "Window",
      yLabel: "Rate",
    },
  );
  const bins = reliabilityBins(sample);
  const calibrationSvg = frontierSvg(
    [
      {
        name: "perfect calibration",
        points: [
          { x: 0, y: 0 },
          { x: 1, y: 1 },
        ],
        kind: "line",
      },
      {
        name: "router P_fail (IPW bins)",
        points: bins.map((b) => ({ x: b.meanPFail, y: b.observedError })),
        kind: "points",
      },
    ],
    {
      title: "P_fail calibration on labelled traffic",
      xLabel: "Mean P_fail",
      xPercent: true,
      yLabel: "Observed error (IPW)",
    },
  );
  write("report.md", trafficReportMarkdown(windows, sample, options));
  write(
    "report.json",
    `${JSON.stringify({ queries: sample.queries, labelled: sample.rows.length, expectedKeptError: options.expectedKeptError ?? null, windows, calibration: bins }, null, 2)}\n`,
  );
  write("windows.svg", windowsSvg);
  write("calibration.svg", calibrationSvg);
  if (options.png ?? true) {
    write("windows.png", await svgToPng(windowsSvg));
    write("calibration.png", await svgToPng(calibrationSvg));
  }
  return { windows, flagged: windows.filter((w) => w.flagged).map((w) => w.label), files };
}
