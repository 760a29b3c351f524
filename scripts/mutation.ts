/**
 * Mutation testing of the core folders with StrykerJS (stryker.config.mjs), one scope of stryker/scopes.json at a
 * time, each against only its own test files; prints the mutation score per folder.
 *
 *   npm run mutation                                  # every scope (long: see docs/testing.md for the times)
 *   npm run mutation -- --scope features,policy       # some scopes
 *   npm run mutation -- --changed [--base <rev>]      # only core files changed since <rev> (default HEAD~1),
 *                                                     # failing below the threshold (CI: .ci/run)
 *   npm run mutation -- --threshold 90                # fail when a scope scores below 90%
 *
 * Runs Stryker under `nice -n 10` with MUTATION_CONCURRENCY (default 2) test processes; results, HTML reports and
 * Stryker's incremental files go to reports/mutation/ (a re-run only tests the mutants whose code or tests changed).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The score CI requires of the mutants in changed core files (percent), set from the first full run. */
const CHANGED_FILES_THRESHOLD = 80;

interface Scope {
  readonly mutate: readonly string[];
  readonly tests: readonly string[];
}
const scopes = Object.fromEntries(
  Object.entries(JSON.parse(readFileSync(join(ROOT, "stryker/scopes.json"), "utf8")) as Record<string, Scope>).filter(
    ([name]) => !name.startsWith("$"),
  ),
);

/** A glob of stryker/scopes.json (`*`, `**`) as a regular expression over repository paths. */
function globRegex(glob: string): RegExp {
  const body = glob
    .split("**/")
    .map((part) =>
      part
        .split("*")
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
        .join("[^/]*"),
    )
    .join("(?:.*/)?");
  return new RegExp(`^${body}$`);
}

/** Whether `file` is mutated by `scope` (matches a pattern and no `!` pattern). */
function inScope(scope: Scope, file: string): boolean {
  const positive = scope.mutate.filter((p) => !p.startsWith("!"));
  const negative = scope.mutate.filter((p) => p.startsWith("!")).map((p) => p.slice(1));
  return positive.some((p) => globRegex(p).test(file)) && !negative.some((p) => globRegex(p).test(file));
}

function changedFiles(base: string): string[] {
  const result = spawnSync("git", ["diff", "--name-only", "--diff-filter=AMR", base, "HEAD"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`git diff ${base} HEAD failed: ${result.stderr}`);
  return result.stdout.split("\n").filter((f) => f.endsWith(".ts") && existsSync(join(ROOT, f)));
}

interface MutantCounts {
  killed: number;
  survived: number;
  noCoverage: number;
  timeout: number;
  errors: number;
}

/** Mutant counts per folder from Stryker's JSON report (mutation-testing-report-schema). */
function countsByFolder(reportFile: string): Map<string, MutantCounts> {
  const report = JSON.parse(readFileSync(reportFile, "utf8")) as {
    files: Record<string, { mutants: { status: string }[] }>;
  };
  const byFolder = new Map<string, MutantCounts>();
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const folder = dirname(file.startsWith(ROOT) ? file.slice(ROOT.length + 1) : file);
    const counts = byFolder.get(folder) ?? { killed: 0, survived: 0, noCoverage: 0, timeout: 0, errors: 0 };
    for (const { status } of mutants) {
      if (status === "Killed") counts.killed++;
      else if (status === "Survived") counts.survived++;
      else if (status === "NoCoverage") counts.noCoverage++;
      else if (status === "Timeout") counts.timeout++;
      else if (status === "RuntimeError" || status === "CompileError") counts.errors++;
    }
    byFolder.set(folder, counts);
  }
  return byFolder;
}

/** Stryker's mutation score: detected (killed or timed out) over valid mutants. */
function score(c: MutantCounts): number {
  const valid = c.killed + c.timeout + c.survived + c.noCoverage;
  return valid === 0 ? 100 : (100 * (c.killed + c.timeout)) / valid;
}

const { values } = parseArgs({
  options: {
    scope: { type: "string" },
    changed: { type: "boolean" },
    base: { type: "string" },
    threshold: { type: "string" },
  },
  strict: true,
});

const selected = values.scope ? values.scope.split(",").map((s) => s.trim()) : Object.keys(scopes);
for (const name of selected) {
  if (!scopes[name]) {
    console.error(`unknown scope "${name}": use one of ${Object.keys(scopes).join(", ")}`);
    process.exit(2);
  }
}
const threshold = values.threshold ? Number(values.threshold) : values.changed ? CHANGED_FILES_THRESHOLD : undefined;
if (threshold !== undefined && !(threshold >= 0 && threshold <= 100)) {
  console.error(`--threshold must be a percentage, got ${values.threshold}`);
  process.exit(2);
}

let runs: { scope: string; files?: string[] }[] = selected.map((scope) => ({ scope }));
if (values.changed) {
  const base = values.base ?? "HEAD~1";
  const changed = changedFiles(base);
  runs = selected
    .map((scope) => ({ scope, files: changed.filter((f) => inScope(scopes[scope], f)) }))
    .filter((r) => r.files.length > 0);
  console.log(`core files changed since ${base}: ${runs.flatMap((r) => r.files).join(", ") || "none"}`);
}

const rows: string[] = [];
const below: string[] = [];
let failed = false;
for (const { scope, files } of runs) {
  const args = ["-n", "10", "npx", "stryker", "run", "stryker.config.mjs"];
  if (files) args.push("--mutate", files.join(","));
  console.log(`\n== mutation scope ${scope}: ${files ? files.join(", ") : scopes[scope].mutate.join(" ")}`);
  const started = Date.now();
  const result = spawnSync("nice", args, {
    cwd: ROOT,
    stdio: "inherit",
    env: { ...process.env, MUTATION_SCOPE: scope },
  });
  const minutes = (Date.now() - started) / 60_000;
  const report = join(ROOT, "reports/mutation", `${scope}.json`);
  if (result.status !== 0 || !existsSync(report)) {
    console.error(`stryker failed on scope ${scope} (exit ${result.status})`);
    failed = true;
    continue;
  }
  const total: MutantCounts = { killed: 0, survived: 0, noCoverage: 0, timeout: 0, errors: 0 };
  for (const [folder, c] of [...countsByFolder(report)].sort()) {
    rows.push(
      `| ${folder} | ${score(c).toFixed(1)}% | ${c.killed} | ${c.timeout} | ${c.survived} | ${c.noCoverage} | ${c.errors} |`,
    );
    for (const key of Object.keys(total) as (keyof MutantCounts)[]) total[key] += c[key];
  }
  rows.push(
    `| **${scope}** (${minutes.toFixed(1)} min) | **${score(total).toFixed(1)}%** | ${total.killed} | ${total.timeout} | ${total.survived} | ${total.noCoverage} | ${total.errors} |`,
  );
  if (threshold !== undefined && score(total) < threshold) below.push(`${scope} ${score(total).toFixed(1)}%`);
}

console.log("\n| folder | score | killed | timeout | survived | no coverage | errors |\n|---|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
if (below.length > 0) {
  console.error(`\nmutation score below ${threshold}%: ${below.join(", ")} (reports/mutation/<scope>.html)`);
  failed = true;
}
process.exit(failed ? 1 : 0);
