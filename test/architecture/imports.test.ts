import { readFileSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { CORE_FOLDERS, LAYERS, OPERATIONS_FOLDERS } from "./layers.js";

// The layer rule of docs/architecture.md, checked on the source: every import inside src/ runs DOWN the layers
// (or stays in its folder), and no file imports itself back through a cycle.

const src = resolve(import.meta.dirname, "../../src");

/**
 * Test folders that test across src/ folders rather than one of them: the layer rule itself, the benchmark harness,
 * the examples, the installed package, the fault-injection suite, the scripts, and shared helpers and fixtures.
 * Every other test folder mirrors a src/ folder (`test/eval/run` for `src/eval/run`).
 */
const CROSS_CUTTING_SUITES: readonly string[] = [
  "architecture",
  "bench",
  "examples",
  "package",
  "reliability",
  "scripts",
  "helpers",
  "fixtures",
  "mutation",
];

/** The folders under `dir` that hold files, relative to it. */
function testFolders(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (!entry.isDirectory()) return [];
    const path = join(dir, entry.name);
    return [relative(base, path), ...testFolders(path, base)];
  });
}
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?\sfrom\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The relative imports of a file, resolved to source paths (`./x.js` -> `x.ts`). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), (m[1] ?? m[2]).replace(/\.js$/, ".ts")));
}

/** The top folder of a source file under src/ (`index.ts` for the root entry). */
function folderOf(file: string): string {
  return relative(src, file).split("/")[0];
}

function layerOf(folder: string): number {
  return LAYERS.findIndex((layer) => layer.includes(folder));
}

const files = sourceFiles(src);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

describe("the source layers (docs/architecture.md)", () => {
  it("places every folder of src/ in a layer", () => {
    const folders = [...new Set(files.map(folderOf))];
    expect(folders.filter((folder) => layerOf(folder) < 0)).toEqual([]);
  });

  it("resolves every relative import to a source file", () => {
    const known = new Set(files);
    const missing = [...graph].flatMap(([file, targets]) =>
      targets.filter((t) => !known.has(t)).map((t) => `${relative(src, file)} -> ${relative(src, t)}`),
    );
    expect(missing).toEqual([]);
  });

  it("has no import from a lower layer up to a higher one, nor across folders of one layer", () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  it("keeps operations out of the core: graph/ and chat_models/ reach nothing of traces/, server/, redis/", () => {
    expect(operationsReached(graph)).toEqual([]);
  });

  it("has no import cycle between files", () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it("keeps every file of src/ under 400 lines", () => {
    const long = files
      .filter((file) => readFileSync(file, "utf8").split("\n").length > 400)
      .map((f) => relative(src, f));
    expect(long).toEqual([]);
  });

  it("names every test folder after a src/ folder, or after one of the cross-cutting suites", () => {
    const tests = resolve(import.meta.dirname, "..");
    const srcFolders = new Set(files.map((f) => relative(src, dirname(f))).filter((d) => d !== ""));
    const strays = testFolders(tests).filter((folder) => {
      const [top] = folder.split("/");
      if (CROSS_CUTTING_SUITES.includes(top) || folder.split("/").includes("fixtures")) return false;
      return !srcFolders.has(folder);
    });
    expect(strays).toEqual([]);
  });

  it("fails on an upward import and on a cycle (the checks can fail)", () => {
    const at = (path: string) => join(src, path);
    const bad = new Map([
      [at("errors/base.ts"), [at("server/server.ts")]],
      [at("server/server.ts"), [at("graph/build.ts")]],
      [at("graph/build.ts"), [at("graph/state.ts")]],
      [at("graph/state.ts"), [at("graph/build.ts")]],
    ]);
    expect(upwardImports(bad)).toEqual(["errors/base.ts -> server/server.ts"]);
    expect(importCycles(bad)).toEqual(["graph/build.ts -> graph/state.ts -> graph/build.ts"]);
    const leaky = new Map([
      [at("chat_models/pyramid.ts"), [at("members/call.ts")]],
      [at("members/call.ts"), [at("traces/recorder.ts")]],
      [at("traces/recorder.ts"), []],
    ]);
    expect(operationsReached(leaky)).toEqual(["chat_models/pyramid.ts -> members/call.ts -> traces/recorder.ts"]);
  });
});

/** Every path from a core file to a file of an operations folder, as `core -> ... -> operations` (first found per file). */
function operationsReached(imports: ReadonlyMap<string, readonly string[]>): string[] {
  const found: string[] = [];
  for (const start of imports.keys()) {
    if (!CORE_FOLDERS.includes(folderOf(start))) continue;
    const seen = new Set([start]);
    const queue: string[][] = [[start]];
    while (queue.length > 0) {
      const path = queue.shift() as string[];
      const file = path[path.length - 1];
      if (OPERATIONS_FOLDERS.includes(folderOf(file))) {
        found.push(path.map((f) => relative(src, f)).join(" -> "));
        break;
      }
      for (const next of imports.get(file) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        queue.push([...path, next]);
      }
    }
  }
  return found;
}

/** The imports that run up the layers or across folders of one layer, as `from -> to`. */
function upwardImports(imports: ReadonlyMap<string, readonly string[]>): string[] {
  const upward: string[] = [];
  for (const [file, targets] of imports) {
    const from = folderOf(file);
    for (const target of targets) {
      const to = folderOf(target);
      if (to !== from && layerOf(to) >= layerOf(from))
        upward.push(`${relative(src, file)} -> ${relative(src, target)}`);
    }
  }
  return upward;
}

/** The import cycles found by a depth-first walk, each as `a -> b -> ... -> a`. */
function importCycles(imports: ReadonlyMap<string, readonly string[]>): string[] {
  const state = new Map<string, "open" | "done">();
  const cycles: string[] = [];
  const visit = (file: string, path: string[]): void => {
    state.set(file, "open");
    for (const target of imports.get(file) ?? []) {
      if (state.get(target) === "open") {
        cycles.push([...path.slice(path.indexOf(target)), target].map((f) => relative(src, f)).join(" -> "));
      } else if (!state.has(target) && imports.has(target)) visit(target, [...path, target]);
    }
    state.set(file, "done");
  };
  for (const file of imports.keys()) if (!state.has(file)) visit(file, [file]);
  return cycles;
}
