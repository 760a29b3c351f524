import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EvalTraceLine } from "../../core/trace_schema.js";
import { MissingDependencyError, PyramidConfigError } from "../../errors/index.js";
import { frontierSvg, type FrontierSeries } from "../../plots/frontier_plot.js";
import { svgToPng } from "../../plots/png.js";
import { reliabilitySvg } from "../../plots/reliability_plot.js";
import type { TierEstimate } from "../../policy/lookahead.js";
import { jointSweep } from "./frontier.js";
import { deepQueriesFromTraces } from "./queries.js";
import { deepSummary, type DeepSummary } from "./summary.js";
import { deepSummaryJson, deepSummaryMarkdown } from "./writers.js";

/** Options of {@link writeDeepReport}. */
export interface DeepReportOptions {
  readonly outDir: string;
  /** Thresholds in force, one per boundary; default the traces' own. */
  readonly thresholds?: readonly number[];
  /** Joint presets: name -> one threshold per boundary. */
  readonly presets?: Readonly<Record<string, readonly number[]>>;
  /** Look-ahead estimates (from the training part) to measure the look-ahead against the thresholds. */
  readonly lookahead?: readonly TierEstimate[];
  readonly title?: string;
  /** Write PNGs next to the SVGs (default true; skipped with a notice without @resvg/resvg-js). */
  readonly png?: boolean;
  readonly seed?: number;
}

/**
 * Writes the report of a deep run from its graded traces: `summary.md`, `summary.json`, `frontier.svg`/`.png` (the
 * joint threshold sweep, its Pareto frontier, the presets, the look-ahead and every baseline, accuracy against cost as
 * a fraction of the apex alone) and `reliability-<k>.svg`/`.png` (each boundary's P_fail calibration).
 */
export async function writeDeepReport(
  traces: readonly EvalTraceLine[],
  options: DeepReportOptions,
): Promise<{ summary: DeepSummary; files: string[]; pngSkipped?: string }> {
  if (traces.length === 0) {
    throw new PyramidConfigError("no graded traces to report on", { field: "traces", fix: "run the evaluation first" });
  }
  const queries = deepQueriesFromTraces(traces);
  const thresholds = options.thresholds ?? (traces[0].boundaries ?? []).map((b) => b.threshold);
  const summary = deepSummary(queries, {
    thresholds,
    presets: options.presets,
    lookahead: options.lookahead,
    seed: options.seed,
  });
  const title = options.title ?? traces[0].benchmark;
  mkdirSync(options.outDir, { recursive: true });
  const files: string[] = [];
  const svgs: [string, string][] = [];
  const write = (name: string, content: string | Buffer): void => {
    const path = join(options.outDir, name);
    writeFileSync(path, content);
    files.push(path);
  };
  write("summary.md", deepSummaryMarkdown(summary, { title: `${title}: deep pyramid evaluation` }));
  write("summary.json", deepSummaryJson(summary));
  const sweep = jointSweep(queries);
  const series: FrontierSeries[] = [
    {
      name: "per-boundary thresholds (every combination)",
      points: sweep.map((p) => ({ x: p.costFraction, y: p.accuracy })),
      kind: "points",
    },
    {
      name: "their Pareto frontier",
      points: summary.frontier.map((p) => ({ x: p.costFraction, y: p.accuracy })),
      kind: "line",
    },
    ...(summary.lookahead
      ? [
          {
            name: "look-ahead (utility sweep)",
            points: summary.lookahead.map((p) => ({ x: p.score.costFraction, y: p.score.accuracy })),
            kind: "line" as const,
          },
        ]
      : []),
    ...[summary.pyramid, ...summary.presets.map((p) => p.score), ...summary.baselines].map((r) => ({
      name: r.name,
      points: [{ x: r.costFraction, y: r.accuracy }],
      kind: "points" as const,
    })),
  ];
  svgs.push([
    "frontier",
    frontierSvg(series, {
      title: `${title}: accuracy vs. cost (${summary.tiers.join(" -> ")})`,
      xLabel: "Cost (% of the apex alone)",
      xPercent: true,
      height: Math.max(560, 90 + series.length * 24),
    }),
  ]);
  summary.boundaries.forEach((b, k) => {
    svgs.push([
      `reliability-${k}`,
      reliabilitySvg(b.reliability, { title: `${title}: reliability of P_fail (${b.name})` }),
    ]);
  });
  for (const [name, svg] of svgs) write(`${name}.svg`, svg);
  if (options.png ?? true) {
    for (const [name, svg] of svgs) {
      try {
        write(`${name}.png`, await svgToPng(svg));
      } catch (error) {
        if (!(error instanceof MissingDependencyError)) throw error;
        return {
          summary,
          files,
          pngSkipped:
            "PNG plots skipped: @resvg/resvg-js is not installed (npm install @resvg/resvg-js); the SVG plots are written",
        };
      }
    }
  }
  return { summary, files };
}
