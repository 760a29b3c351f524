import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname } from "node:path";
import type { BenchFigure } from "./types.js";

/** Everything one `npm run bench` produced. */
export interface BenchReport {
  /** ISO time the run started. */
  readonly startedAt: string;
  /** Wall time of the whole run, seconds. */
  readonly totalSeconds: number;
  /** Machine facts: Node version, CPUs, load averages at start and end. */
  readonly machine: {
    readonly node: string;
    readonly cpus: number;
    readonly cpuModel: string;
    readonly loadStart: readonly number[];
    readonly loadEnd: readonly number[];
  };
  /** Whether tiny repeat counts were used (`--quick`). */
  readonly quick: boolean;
  /** Wall time per suite, seconds. */
  readonly suiteSeconds: Record<string, number>;
  /** Suites that did not run, and why. */
  readonly skipped: readonly { suite: string; reason: string }[];
  /** Every figure, in suite order. */
  readonly figures: readonly BenchFigure[];
  /** Suites re-run alone since and merged into this report (`--merge`), oldest first. */
  readonly updates?: readonly BenchUpdate[];
}

/** One `npm run bench -- --only <suites> --merge` run folded into an earlier report. */
export interface BenchUpdate {
  /** ISO time the partial run started. */
  readonly startedAt: string;
  /** The suites it ran. */
  readonly suites: readonly string[];
  /** The sections it replaced or added. */
  readonly sections: readonly string[];
  /** Its machine facts (load averages at its start and end). */
  readonly machine: BenchReport["machine"];
}

/**
 * Folds a partial run (`current`, which ran `suites`) into an earlier full report: the sections `current`
 * produced replace the earlier ones in place (new sections go last); everything else, and the earlier run's
 * header facts, are kept, and the partial run is listed in `updates`.
 */
export function mergeReports(previous: BenchReport, current: BenchReport, suites: readonly string[]): BenchReport {
  const sections = [...new Set(current.figures.map((f) => f.section))];
  const replaced = new Set(sections);
  const figures: BenchFigure[] = [];
  for (const section of [...new Set(previous.figures.map((f) => f.section)), ...sections]) {
    if (figures.some((f) => f.section === section)) continue;
    figures.push(...(replaced.has(section) ? current.figures : previous.figures).filter((f) => f.section === section));
  }
  const rerun = new Set(suites);
  return {
    ...previous,
    suiteSeconds: { ...previous.suiteSeconds, ...current.suiteSeconds },
    skipped: [...previous.skipped.filter((s) => !rerun.has(s.suite)), ...current.skipped],
    figures,
    updates: [
      ...(previous.updates ?? []),
      { startedAt: current.startedAt, suites, sections, machine: current.machine },
    ],
  };
}

/** Machine facts for {@link BenchReport.machine}, with the load average now. */
export function machineFacts(loadStart: readonly number[]): BenchReport["machine"] {
  const list = cpus();
  return {
    node: process.version,
    cpus: list.length,
    cpuModel: list[0]?.model ?? "unknown",
    loadStart,
    loadEnd: loadavg(),
  };
}

/** A number with about 3 significant digits (integers above 100 as they are). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  if (abs >= 0.01) return value.toFixed(3);
  if (abs === 0) return "0";
  return value.toPrecision(2);
}

/** `[min, max]` of a spread. */
export function formatSpread(spread: readonly [number, number]): string {
  return `[${formatNumber(spread[0])}, ${formatNumber(spread[1])}]`;
}

function metText(figure: BenchFigure): string {
  if (figure.met === undefined) return "";
  return figure.met ? "yes" : "**no**";
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** The figures as a plain-text table for the console. */
export function consoleTable(figures: readonly BenchFigure[]): string {
  const rows = figures.map((f) => [
    f.name,
    `${formatNumber(f.value)} ${f.unit}`,
    `${formatNumber(f.baseline)} ${f.unit}`,
    `${formatNumber(f.ratio)}x`,
    formatSpread(f.spread),
    f.target,
    f.met === undefined ? "" : f.met ? "yes" : "NO",
  ]);
  const header = ["figure", "value", "baseline", "ratio", "spread", "target", "met"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: readonly string[]): string => r.map((c, i) => c.padEnd(widths[i])).join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** `bench/results.md`: one table per section, with the machine, the method and the missed targets. */
export function markdownReport(report: BenchReport): string {
  const m = report.machine;
  const load = (l: readonly number[]): string => l.map((x) => x.toFixed(2)).join(" / ");
  const out: string[] = [
    "# Benchmark results",
    "",
    `Written by \`npm run bench\`${report.quick ? " --quick (tiny repeat counts, not for quoting)" : ""} on ${report.startedAt}: ` +
      `Node ${m.node}, ${m.cpus} CPUs (${m.cpuModel}), load average (1/5/15 min) ${load(m.loadStart)} at start and ` +
      `${load(m.loadEnd)} at the end; the whole run took ${report.totalSeconds.toFixed(0)} s.`,
    "",
    "Every figure is a ratio against a baseline measured in the same run, interleaved with it. `value` and `baseline` are",
    "medians over the repeats, `ratio` = value / baseline, `spread` = [min, max] of the per-repeat ratios. Scripted chat",
    "models with a fixed latency (`bench/latency_model.ts`) stand in for LLMs, except in the replayed evaluation. The",
    "machine is shared: absolute times move with its load, the ratios much less.",
    "",
  ];
  for (const u of report.updates ?? []) {
    out.push(
      `Section${u.sections.length === 1 ? "" : "s"} ${u.sections.map((x) => `"${x}"`).join(", ")} re-run alone on ${u.startedAt} ` +
        `(\`npm run bench -- --only ${u.suites.join(",")} --merge\`), load average ${load(u.machine.loadStart)} at start and ${load(u.machine.loadEnd)} at the end.`,
      "",
    );
  }
  const sections = [...new Set(report.figures.map((f) => f.section))];
  for (const section of sections) {
    const seconds = report.suiteSeconds[section];
    out.push(`## ${section}${seconds !== undefined ? ` (${seconds.toFixed(1)} s)` : ""}`, "");
    out.push("| figure | value | baseline | unit | ratio | spread | target | met? | note |");
    out.push("|---|---:|---:|---|---:|---|---|---|---|");
    for (const f of report.figures.filter((x) => x.section === section)) {
      out.push(
        `| ${cell(f.name)} | ${formatNumber(f.value)} | ${formatNumber(f.baseline)} | ${f.unit} | ${formatNumber(f.ratio)}x | ` +
          `${formatSpread(f.spread)} | ${cell(f.target)} | ${metText(f)} | ${cell(f.note ?? "")} |`,
      );
    }
    out.push("");
  }
  const missed = report.figures.filter((f) => f.met === false);
  out.push("## Targets", "");
  const withTarget = report.figures.filter((f) => f.met !== undefined);
  out.push(`${withTarget.length - missed.length} of ${withTarget.length} targets met.`);
  for (const f of missed) {
    out.push(
      `- Missed: ${f.section} / ${f.name}: ${formatNumber(f.ratio)}x against ${f.target} (spread ${formatSpread(f.spread)}).` +
        (f.note ? ` ${f.note}` : ""),
    );
  }
  out.push("");
  if (report.skipped.length > 0) {
    out.push("## Skipped", "");
    for (const s of report.skipped) out.push(`- ${s.suite}: ${s.reason}`);
    out.push("");
  }
  out.push(
    "Re-run with `npm run bench` (about 2-5 minutes on 2 cores); `npm run bench -- --quick` checks that every suite runs; " +
      "`npm run bench -- --only <suite> --merge` re-runs one suite and updates only its section here.",
    "",
  );
  return out.join("\n");
}

/** Writes `results.md` and `results.json`. */
export function writeReport(report: BenchReport, mdPath: string, jsonPath: string): void {
  mkdirSync(dirname(mdPath), { recursive: true });
  writeFileSync(mdPath, markdownReport(report));
  writeFileSync(jsonPath, `${JSON.stringify(report, null, 2)}\n`);
}
