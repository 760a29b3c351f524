import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { z } from "zod";
import { DataFormatError } from "../src/errors/index.js";

/**
 * Summarises a V8 `.cpuprofile` (as written by `node --cpu-prof`): self time per function, and the total
 * (inclusive) time of functions in the project's own `src/` files.
 *
 * Usage: `npx tsx bench/read_profile.ts <file.cpuprofile | dir> [--top 30] [--filter src/] [--diff <other profile | dir>]`
 */

const nodeSchema = z.object({
  id: z.number(),
  callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number(), columnNumber: z.number() }),
  children: z.array(z.number()).optional(),
});
const profileSchema = z.object({
  nodes: z.array(nodeSchema),
  startTime: z.number(),
  endTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** One function's share of a profile. */
export interface ProfileRow {
  /** `name (file:line)`. */
  readonly fn: string;
  /** Self time in milliseconds. */
  readonly selfMs: number;
  /** Inclusive time (self + callees) in milliseconds; counted once per sample even under recursion. */
  readonly totalMs: number;
}

/** Where a function lives, for the self-time breakdown: `src/`, a package under node_modules, `node:`, or the VM. */
export function category(fn: string): string {
  const at = fn.lastIndexOf("(");
  const where = at >= 0 ? fn.slice(at + 1) : fn;
  if (where.startsWith("src/")) return "src/ (pyramid)";
  if (where.startsWith("bench/")) return "bench/ (workload)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(where);
  if (pkg) return pkg[1];
  if (where.startsWith("node:")) return "node internals";
  if (fn.startsWith("(garbage collector)")) return "GC";
  if (fn.startsWith("(idle)")) return "idle";
  return "VM / other";
}

/** Self time per {@link category}, in milliseconds, descending. */
export function selfByCategory(summary: ProfileSummary): { category: string; selfMs: number }[] {
  const totals = new Map<string, number>();
  for (const row of summary.rows) totals.set(category(row.fn), (totals.get(category(row.fn)) ?? 0) + row.selfMs);
  return [...totals].map(([name, selfMs]) => ({ category: name, selfMs })).sort((a, b) => b.selfMs - a.selfMs);
}

/** A profile summary: total sampled time and rows sorted by self time. */
export interface ProfileSummary {
  /** Sum of the sample intervals, in milliseconds. */
  readonly totalMs: number;
  /** Functions, by descending self time. */
  readonly rows: readonly ProfileRow[];
}

function label(frame: { functionName: string; url: string; lineNumber: number }, root: string): string {
  const url = frame.url.startsWith("file://") ? relative(root, frame.url.slice("file://".length)) : frame.url;
  return `${frame.functionName || "(anonymous)"} (${url || "native"}:${frame.lineNumber + 1})`;
}

/** Reads and summarises one `.cpuprofile` file. */
export function summariseProfile(path: string, root = process.cwd()): ProfileSummary {
  const parsed = profileSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.success) {
    throw new DataFormatError(`${path} is not a V8 cpuprofile: ${parsed.error.issues[0]?.message ?? "invalid"}`, {
      field: path,
      fix: "pass a file written by node --cpu-prof",
    });
  }
  const profile = parsed.data;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  let all = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    all += ms;
    const leaf = byId.get(profile.samples[i]);
    if (!leaf) continue;
    const leafName = label(leaf.callFrame, root);
    self.set(leafName, (self.get(leafName) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node) break;
      const name = label(node.callFrame, root);
      if (seen.has(name)) continue;
      seen.add(name);
      total.set(name, (total.get(name) ?? 0) + ms);
    }
  }
  const rows = [...total.keys()]
    .map((fn) => ({ fn, selfMs: self.get(fn) ?? 0, totalMs: total.get(fn) ?? 0 }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return { totalMs: all, rows };
}

function newest(dir: string): string {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".cpuprofile"))
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).size - statSync(a).size);
  if (!files[0])
    throw new DataFormatError(`no .cpuprofile in ${dir}`, { field: dir, fix: "run node --cpu-prof first" });
  return files[0];
}

function flag(args: readonly string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

/** Per-function self-time difference of two profiles of the same number of queries (`a - b`), largest first. */
export function diffProfiles(a: ProfileSummary, b: ProfileSummary): { fn: string; aMs: number; bMs: number }[] {
  const selfOf = (s: ProfileSummary): Map<string, number> => new Map(s.rows.map((row) => [row.fn, row.selfMs]));
  const left = selfOf(a);
  const right = selfOf(b);
  return [...new Set([...left.keys(), ...right.keys()])]
    .map((fn) => ({ fn, aMs: left.get(fn) ?? 0, bMs: right.get(fn) ?? 0 }))
    .sort((x, y) => y.aMs - y.bMs - (x.aMs - x.bMs));
}

function resolveProfile(target: string): string {
  return statSync(target).isDirectory() ? newest(target) : target;
}

function main(args: readonly string[]): void {
  const target = args[0] ?? "/tmp/pyramid-prof";
  const path = resolveProfile(target);
  const against = flag(args, "--diff");
  if (against) {
    const a = summariseProfile(path);
    const b = summariseProfile(resolveProfile(against));
    const count = Number(flag(args, "--top") ?? 30);
    console.log(`${path}: ${a.totalMs.toFixed(0)} ms sampled; ${against}: ${b.totalMs.toFixed(0)} ms sampled`);
    const cats = (s: ProfileSummary): Map<string, number> =>
      new Map(selfByCategory(s).map((c) => [c.category, c.selfMs]));
    const ca = cats(a);
    const cb = cats(b);
    console.log("\nSelf time by where the code lives (first - second):");
    for (const name of [...new Set([...ca.keys(), ...cb.keys()])]) {
      const x = ca.get(name) ?? 0;
      const y = cb.get(name) ?? 0;
      console.log(`  ${(x - y).toFixed(1).padStart(9)} ms  (${x.toFixed(0)} vs ${y.toFixed(0)})  ${name}`);
    }
    console.log(`\nTop ${count} functions by extra self time in the first profile:`);
    for (const row of diffProfiles(a, b).slice(0, count)) {
      console.log(
        `  ${(row.aMs - row.bMs).toFixed(1).padStart(9)} ms  (${row.aMs.toFixed(0)} vs ${row.bMs.toFixed(0)})  ${row.fn}`,
      );
    }
    return;
  }
  const top = Number(flag(args, "--top") ?? 30);
  const filter = flag(args, "--filter") ?? "src/";
  const summary = summariseProfile(path);
  const pct = (ms: number): string => `${((100 * ms) / summary.totalMs).toFixed(1)}%`;
  console.log(`${path}: ${summary.totalMs.toFixed(0)} ms sampled`);
  console.log("\nSelf time by where the code lives:");
  for (const row of selfByCategory(summary)) {
    console.log(`  ${row.selfMs.toFixed(1).padStart(8)} ms ${pct(row.selfMs).padStart(6)}  ${row.category}`);
  }
  console.log(`\nTop ${top} by self time:`);
  for (const row of summary.rows.slice(0, top)) {
    console.log(`  ${row.selfMs.toFixed(1).padStart(8)} ms ${pct(row.selfMs).padStart(6)}  ${row.fn}`);
  }
  const own = summary.rows.filter((row) => row.fn.includes(`(${filter}`)).sort((a, b) => b.selfMs - a.selfMs);
  console.log(`\nFunctions in ${filter} by self time (total = inclusive of synchronous callees):`);
  for (const row of own.slice(0, top)) {
    console.log(
      `  total ${row.totalMs.toFixed(1).padStart(8)} ms ${pct(row.totalMs).padStart(6)}  self ${row.selfMs.toFixed(1).padStart(7)} ms  ${row.fn}`,
    );
  }
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main(process.argv.slice(2));
