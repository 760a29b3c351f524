import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach } from "vitest";

/**
 * A maker of fresh temporary folders (`<tmpdir>/<prefix>XXXXXX`) for the test file that calls it (at its top level):
 * every folder made is removed after the file's tests (`afterAll`), or after each test with `when: "each"`.
 */
export function tempDirs(prefix: string, when: "all" | "each" = "all"): () => string {
  const dirs: string[] = [];
  (when === "each" ? afterEach : afterAll)(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
}
