/**
 * Mutation testing of the core folders with StrykerJS (stryker.config.mjs), one scope of stryker/scopes.json at a
 * time, each against only its own test files; prints the mutation score per folder.
 *
 *   npm run mutation                                  # every scope (long: see docs/testing.md for the times)
 *   npm run mutation -- --scope features,policy       # some scopes
 *   npm run mutation -- --changed [--base <rev>]      # only the core lines changed since <rev> (default HEAD~1),
 *                                                     # failing below each scope's threshold (CI: .ci/run)
 *   npm run mutation -- --changed --max-minutes 40    # start no new scope after 40 minutes (names the ones left)
 *   npm run mutation -- --threshold 90                # fail when a scope scores below 90%
 *   npm run mutation -- --files src/features/stats.ts # only these files (of their scopes)
 *   npm run mutation -- --scope budgets --force       # re-test every mutant, ignoring the incremental file (needed
 *                                                     # after adding tests: Stryker reuses static mutants' results)
 *
 * Runs Stryker under `nice -n 10` with MUTATION_CONCURRENCY (default 2) test processes; results, HTML reports and
 * Stryker's incremental files go to reports/mutation/ (a re-run only tests the mutants whose code or tests changed).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { inScope, readScopes } from "./mutation_scopes.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
/** The score CI requires of a scope's changed code when stryker/scopes.json gives it no `threshold` (percent). */
const CHANGED_FILES_THRESHOLD = 80;

const scopes = readScopes();

/**
 * The lines each `.ts` file changed (added or modified) since `base`, as Stryker mutation ranges
 * (`src/x.ts:12-20`): only the mutants in changed code are tested.
 */
function changedRanges(base: string): Map<string, string[]> {
  const result = spawnSync("git", ["diff", "-U0", "--diff-filter=AMR", "--no-color", base, "HEAD", "--", "*.ts"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`git diff ${base} HEAD failed: ${result.stderr}`);
  const ranges = new Map<string, string[]>();
  let file: string | undefined;
  for (const line of result.stdout.split("\n")) {
    if (line.startsWith("+++ ")) {
      file = line.startsWith("+++ b/") ? line.slice(6) : undefined;
      continue;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (!hunk || file === undefined || !existsSync(join(ROOT, file))) continue;
    const start = Number(hunk[1]);
    const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
    if (count === 0) continue; // lines removed only
    const list = ranges.get(file) ?? [];
    list.push(`${file}:${start}-${start + count - 1}`);
    ranges.set(file, list);
  }
  return ranges;
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
    "max-minutes": { type: "string" },
    files: { type: "string" },
    force: { type: "boolean" },
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
const threshold = values.threshold ? Number(values.threshold) : undefined;
if (threshold !== undefined && !(threshold >= 0 && threshold <= 100)) {
  console.error(`--threshold must be a percentage, got ${values.threshold}`);
  process.exit(2);
}

let runs: { scope: string; files?: string[] }[] = selected.map((scope) => ({ scope }));
if (values.changed) {
  const base = values.base ?? "HEAD~1";
  const ranges = changedRanges(base);
  runs = selected
    .map((scope) => ({
      scope,
      files: [...ranges].filter(([file]) => inScope(scopes[scope], file)).flatMap(([, list]) => list),
    }))
    .filter((r) => r.files.length > 0);
  console.log(`core lines changed since ${base}: ${runs.flatMap((r) => r.files).join(", ") || "none"}`);
}
if (values.files) {
  // Only these files (each must belong to a selected scope), e.g. a folder's core files on a busy machine.
  const files = values.files.split(",").map((f) => f.trim());
  runs = selected
    .map((scope) => ({ scope, files: files.filter((f) => inScope(scopes[scope], f.replace(/:[\d:-]+$/, ""))) }))
    .filter((r) => r.files.length > 0);
}
const maxMinutes = values["max-minutes"] ? Number(values["max-minutes"]) : Number.POSITIVE_INFINITY;
const startedAll = Date.now();

const rows: string[] = [];
const below: string[] = [];
let failed = false;
const notRun: string[] = [];
for (const { scope, files } of runs) {
  if ((Date.now() - startedAll) / 60_000 >= maxMinutes) {
    notRun.push(scope);
    continue;
  }
  const args = ["-n", "10", "npx", "stryker", "run", "stryker.config.mjs"];
  if (files) args.push("--mutate", files.join(","));
  if (values.force) args.push("--force");
  console.log(`\n== mutation scope ${scope}: ${files ? files.join(", ") : scopes[scope].mutate.join(" ")}`);
  const started = Date.now();
  const result = spawnSync("nice", args, {
    cwd: ROOT,
    stdio: "inherit",
    // The sandbox is a copy under .stryker-tmp/, where the default data folder (../shared/data) does not exist.
    env: { PYRAMID_DATA_DIR: join(ROOT, "..", "shared", "data"), ...process.env, MUTATION_SCOPE: scope },
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
  const required = threshold ?? (values.changed ? (scopes[scope].threshold ?? CHANGED_FILES_THRESHOLD) : undefined);
  if (required !== undefined && score(total) < required)
    below.push(`${scope} ${score(total).toFixed(1)}% < ${required}%`);
}

console.log("\n| folder | score | killed | timeout | survived | no coverage | errors |\n|---|---|---|---|---|---|---|");
for (const row of rows) console.log(row);
if (notRun.length > 0) console.warn(`\nnot run within --max-minutes ${maxMinutes}: ${notRun.join(", ")}`);
if (below.length > 0) {
  console.error(`\nmutation score below the threshold: ${below.join(", ")} (reports/mutation/<scope>.html)`);
  failed = true;
}
process.exit(failed ? 1 : 0);
