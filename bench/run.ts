import { existsSync, readFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PyramidConfigError } from "../src/errors/index.js";
import { consoleTable, machineFacts, mergeReports, writeReport } from "./report.js";
import type { BenchReport } from "./report.js";
import { CORE_SUITES, OPTIONAL_SUITE_MODULES } from "./suites.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of {@link runBench}. */
export interface RunBenchOptions {
  /** Tiny repeat counts: checks that every suite runs (figures not meant to be quoted). */
  readonly quick?: boolean;
  /** Run only these suites (names from `CORE_SUITES` / `OPTIONAL_SUITE_MODULES`). */
  readonly only?: readonly string[];
  /** Where `results.md` and `results.json` go. Default: the `bench/` folder (a temporary folder with `quick`). */
  readonly outDir?: string;
  /** Include the optional suites of other modules (default true). */
  readonly optional?: boolean;
  /** Receives progress lines (default `console.log`). */
  readonly log?: (line: string) => void;
  /**
   * Fold this run into the `results.json` already in `outDir` (only the sections it produced are replaced) instead
   * of overwriting it: for re-running one suite with `--only`. Without a previous report, writes a fresh one.
   */
  readonly merge?: boolean;
}

const here = dirname(fileURLToPath(import.meta.url));

function isSuite(value: unknown): value is BenchSuite {
  return typeof value === "function";
}

/**
 * The suites an optional module exports: an export named `<name>Suite`, `<name>Bench` or `suite`, else every
 * exported zero-argument function whose name ends in `Suite` or `Bench` (factories `create...`/`run...` excluded).
 */
export function suitesOf(module: Record<string, unknown>, name: string): BenchSuite[] {
  const preferred = module[`${name}Suite`] ?? module[`${name}Bench`] ?? module.suite;
  if (isSuite(preferred)) return [preferred];
  return Object.entries(module)
    .filter(
      ([key, value]) =>
        /(Suite|Bench)$/.test(key) && !/^(create|run)/.test(key) && isSuite(value) && value.length === 0,
    )
    .map(([, value]) => value as BenchSuite);
}

async function loadOptional(name: string, module: string): Promise<{ suites: BenchSuite[] } | { reason: string }> {
  const file = join(here, module.replace(/\.js$/, ".ts"));
  const shown = `bench/${module.replace(/^\.\//, "").replace(/\.js$/, ".ts")}`;
  if (!existsSync(file) && !existsSync(join(here, module))) return { reason: `${shown} is not present` };
  try {
    const loaded = (await import(module)) as Record<string, unknown>;
    const suites = suitesOf(loaded, name);
    if (suites.length === 0) return { reason: `${shown} exports no suite (expected ${name}Suite or ${name}Bench)` };
    return { suites };
  } catch (error) {
    return {
      reason: `could not load ${shown} (a native dependency may be missing): ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

/** Runs the suites, prints a table per suite, writes `results.md` and `results.json`, and returns the report. */
export async function runBench(options: RunBenchOptions = {}): Promise<BenchReport> {
  const log = options.log ?? ((line: string) => console.log(line));
  const quick = options.quick ?? false;
  const only = options.only && options.only.length > 0 ? new Set(options.only) : undefined;
  const known = new Set([...CORE_SUITES.map((s) => s.name), ...OPTIONAL_SUITE_MODULES.map((s) => s.name)]);
  for (const name of only ?? []) {
    if (!known.has(name)) {
      throw new PyramidConfigError(`unknown suite "${name}"`, {
        field: "--only",
        fix: `use one of ${[...known].join(", ")}`,
      });
    }
  }
  const wanted = (name: string): boolean => !only || only.has(name);
  const startedAt = new Date().toISOString();
  const loadStart = loadavg();
  const t0 = performance.now();
  const figures: BenchFigure[] = [];
  const skipped: { suite: string; reason: string }[] = [];
  const suiteSeconds: Record<string, number> = {};

  const runOne = async (name: string, suite: BenchSuite): Promise<void> => {
    log(`\n== ${name} ==`);
    const started = performance.now();
    try {
      const produced = await suite();
      const seconds = (performance.now() - started) / 1000;
      for (const section of new Set(produced.map((f) => f.section)))
        suiteSeconds[section] = (suiteSeconds[section] ?? 0) + seconds;
      figures.push(...produced);
      log(produced.length > 0 ? consoleTable(produced) : "(no figures)");
      log(`(${seconds.toFixed(1)} s)`);
    } catch (error) {
      const reason = `failed: ${error instanceof Error ? error.message : String(error)}`;
      skipped.push({ suite: name, reason });
      log(`  ${name} ${reason}`);
    }
  };

  for (const entry of CORE_SUITES) if (wanted(entry.name)) await runOne(entry.name, entry.create(quick));
  if (options.optional ?? true) {
    for (const entry of OPTIONAL_SUITE_MODULES) {
      if (!wanted(entry.name)) continue;
      if (quick && !only) {
        skipped.push({ suite: entry.name, reason: "optional suites run only in a full run (or with --only)" });
        continue;
      }
      const loaded = await loadOptional(entry.name, entry.module);
      if ("reason" in loaded) {
        skipped.push({ suite: entry.name, reason: loaded.reason });
        log(`\n== ${entry.name} ==\n  skipped: ${loaded.reason}`);
        continue;
      }
      for (const suite of loaded.suites) await runOne(entry.name, suite);
    }
  }
  const fresh: BenchReport = {
    startedAt,
    totalSeconds: (performance.now() - t0) / 1000,
    machine: machineFacts(loadStart),
    quick,
    suiteSeconds,
    skipped,
    figures,
  };
  // A quick run never overwrites the committed results.
  const outDir = options.outDir ?? (quick ? join(tmpdir(), "pyramid-bench-quick") : here);
  const jsonPath = join(outDir, "results.json");
  const ran = only ? [...only] : [...known];
  const report =
    options.merge && existsSync(jsonPath)
      ? mergeReports(JSON.parse(readFileSync(jsonPath, "utf8")) as BenchReport, fresh, ran)
      : fresh;
  writeReport(report, join(outDir, "results.md"), jsonPath);
  log(
    `\nWrote ${join(outDir, "results.md")} and results.json${report === fresh ? "" : " (merged)"} in ${fresh.totalSeconds.toFixed(0)} s.`,
  );
  return report;
}

function parseArgs(argv: readonly string[]): RunBenchOptions {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  return {
    quick: argv.includes("--quick") || process.env.BENCH_QUICK === "1",
    only: value("--only")
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    outDir: value("--out"),
    optional: !argv.includes("--no-optional"),
    merge: argv.includes("--merge"),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  runBench(parseArgs(process.argv.slice(2))).then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
