import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { dataDir } from "../data_dir.js";
import { PyramidConfigError } from "../../errors/index.js";
import type { BenchmarkLoadOptions } from "./types.js";

/**
 * Resolves a benchmark file: `options.file`, else `options.dir` (default `dataDir()/benchmarks`)
 * joined with `relative`. Throws `PyramidConfigError` naming the upstream URL when it is missing.
 */
export function benchmarkFile(options: BenchmarkLoadOptions, relative: string, upstream: string): string {
  const file = options.file ? resolve(options.file) : join(options.dir ?? join(dataDir(), "benchmarks"), relative);
  if (!existsSync(file)) {
    throw new PyramidConfigError(`benchmark file not found: ${file}`, {
      field: options.file ? "file" : "dir",
      fix: `download it from ${upstream} to ${relative} under your benchmarks folder, and pass dir or set PYRAMID_DATA_DIR`,
    });
  }
  return file;
}
