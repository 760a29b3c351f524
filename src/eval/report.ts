import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EvalTraceLine } from "../core/trace_schema.js";
import { gradedQueriesFromTraces } from "./metrics/from_traces.js";
import { frontierSweep } from "./metrics/profile.js";
import { evaluationSummary, type EvaluationSummary } from "./metrics/summary.js";
import { diagnoseWorkload, type WorkloadDiagnosis } from "./metrics/diagnosis.js";
import { diagnosisMarkdown } from "./metrics/diagnosis_text.js";
import { profileCsv, summaryJson, summaryMarkdown, theorem1Markdown } from "./metrics/writers.js";
import { performanceProfileSvg } from "../plots/profile_plot.js";
import { frontierSvg, type FrontierSeries } from "../plots/frontier_plot.js";
import { reliabilitySvg } from "../plots/reliability_plot.js";
import { svgToPng } from "../plots/png.js";
import { MissingDependencyError, PyramidConfigError } from "../errors/index.js";

/** Options of {@link writeEvaluationReport}. */
export interface EvaluationReportOptions {
  /** Folder to write into (created if missing). */
  outDir: string;
  /** Threshold in force; default: the traces' own `threshold`. */
  threshold?: number;
  /** Named preset thresholds (e.g. a router bundle's `presets`). */
  presets?: Record<string, number>;
  /** Title prefix of the plots and markdown files, e.g. `GSM8K holdout`. */
  title?: string;
  /**
   * Write PNGs next to the SVGs (default true; needs the optional @resvg/resvg-js: without it the PNGs are skipped
   * and `pngSkipped` says why).
   */
  png?: boolean;
  /** Seed of the random-router baseline (default 1). */
  seed?: number;
}

/**
 * Writes the report files of an evaluation run from its graded traces: `profile.csv`,
 * `profile.svg`/`.png` (accuracy and cost saving versus threshold, with the Oracle-alone and
 * crowd-majority lines), `frontier.svg`/`.png` (accuracy versus cost for the learned router's sweep
 * and every baseline), `reliability.svg`/`.png` (the reliability diagram of P_fail), `theorem1.md`, `summary.md` and
 * `summary.json`, and `diagnosis.md` (the workload diagnosis: see `diagnoseWorkload`). Returns the summary, the
 * diagnosis and
 * the paths written.
 */
export async function writeEvaluationReport(
  traces: readonly EvalTraceLine[],
  options: EvaluationReportOptions,
): Promise<{ summary: EvaluationSummary; diagnosis: WorkloadDiagnosis; files: string[]; pngSkipped?: string }> {
  if (traces.length === 0) {
    throw new PyramidConfigError("no graded traces to report on", { field: "traces", fix: "run the evaluation first" });
  }
  const queries = gradedQueriesFromTraces(traces);
  const threshold = options.threshold ?? traces[0].threshold;
  const summary = evaluationSummary(queries, { threshold, presets: options.presets, seed: options.seed });
  const title = options.title ?? traces[0].benchmark;
  mkdirSync(options.outDir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, content: string | Buffer): void => {
    const path = join(options.outDir, name);
    writeFileSync(path, content);
    files.push(path);
  };
  const oracle = summary.baselines.find((b) => b.name === "Oracle alone")!;
  const crowd = summary.baselines.find((b) => b.name === "crowd majority")!;
  write("profile.csv", profileCsv(summary.profile));
  write(
    "theorem1.md",
    theorem1Markdown(summary.theorem1Table, { title: `${title}: Theorem 1 check`, chosen: threshold }),
  );
  write("summary.md", summaryMarkdown(summary, { title: `${title}: evaluation summary` }));
  write("summary.json", summaryJson(summary));
  const diagnosis = diagnoseWorkload(queries.map((query) => ({ query, weight: 1 })));
  write("diagnosis.md", diagnosisMarkdown(diagnosis, `${title}: workload diagnosis`));
  const profileSvg = performanceProfileSvg(summary.profile, {
    oracleAccuracy: oracle.accuracy,
    crowdAccuracy: crowd.accuracy,
    title: `${title}: accuracy and cost saving vs. threshold`,
  });
  const oracleCost = oracle.cost > 0 ? oracle.cost : 1;
  const series: FrontierSeries[] = [
    {
      name: "learned router (threshold sweep)",
      points: frontierSweep(queries).map((p) => ({ x: p.cost / oracleCost, y: p.accuracy })),
      kind: "line",
    },
    ...summary.presets.map((p) => ({
      name: `preset ${p.name}`,
      points: [{ x: p.score.cost / oracleCost, y: p.score.accuracy }],
      kind: "points" as const,
    })),
    ...summary.baselines.map((b) => ({
      name: b.name,
      points: [{ x: b.cost / oracleCost, y: b.accuracy }],
      kind: "points" as const,
    })),
  ];
  const frontier = frontierSvg(series, {
    title: `${title}: accuracy vs. cost`,
    xLabel: "Cost (% of Oracle alone)",
    xPercent: true,
    height: Math.max(560, 90 + series.length * 24),
  });
  const reliability = reliabilitySvg(summary.reliability, { title: `${title}: reliability of P_fail` });
  write("profile.svg", profileSvg);
  write("frontier.svg", frontier);
  write("reliability.svg", reliability);
  if (options.png ?? true) {
    let png: Buffer;
    try {
      png = await svgToPng(profileSvg);
    } catch (error) {
      if (!(error instanceof MissingDependencyError)) throw error;
      return {
        summary,
        diagnosis,
        files,
        pngSkipped:
          "PNG plots skipped: @resvg/resvg-js is not installed (npm install @resvg/resvg-js); the SVG plots are written",
      };
    }
    write("profile.png", png);
    write("frontier.png", await svgToPng(frontier));
    write("reliability.png", await svgToPng(reliability));
  }
  return { summary, diagnosis, files };
}
