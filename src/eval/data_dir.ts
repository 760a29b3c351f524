import { resolve } from "node:path";

/**
 * The folder holding benchmarks, recorded outputs and test models: `$PYRAMID_DATA_DIR` when set,
 * otherwise `../shared/data` resolved against the current working directory.
 */
export function dataDir(): string {
  const fromEnv = process.env.PYRAMID_DATA_DIR;
  return resolve(fromEnv && fromEnv.length > 0 ? fromEnv : "../shared/data");
}
