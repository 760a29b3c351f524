import { readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Name prefix of every sandbox temp dir (in `os.tmpdir()`). */
export const SANDBOX_DIR_PREFIX = "pyramid-sandbox-";

/** Default age past which a sandbox temp dir is stale: one hour (a run lasts at most its `wallTimeMs`). */
export const STALE_SANDBOX_DIR_MS = 3600_000;

/**
 * Removes the sandbox temp dirs (`os.tmpdir()/pyramid-sandbox-*`) not modified for `maxAgeMs`: leftovers of a
 * parent that was killed before its cleanup ran. Only directories with this library's prefix are touched;
 * errors (a dir owned by someone else, removed meanwhile) are ignored. Returns the paths removed.
 */
export function sweepStaleSandboxDirs(maxAgeMs: number = STALE_SANDBOX_DIR_MS, dir: string = tmpdir()): string[] {
  const removed: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return removed;
  }
  const cutoff = Date.now() - maxAgeMs;
  for (const name of entries) {
    if (!name.startsWith(SANDBOX_DIR_PREFIX)) continue;
    const path = join(dir, name);
    try {
      const stat = statSync(path);
      if (!stat.isDirectory() || stat.mtimeMs > cutoff) continue;
      rmSync(path, { recursive: true, force: true });
      removed.push(path);
    } catch {
      // not ours to remove, or already gone
    }
  }
  return removed;
}
