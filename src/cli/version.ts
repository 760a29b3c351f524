import { readFileSync } from "node:fs";

/**
 * The version of this package, read from its `package.json` (two folders up from this file, both in `src/cli/`
 * and in the built `dist/cli/`).
 */
export function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  const version = (JSON.parse(text) as { version?: unknown }).version;
  return typeof version === "string" ? version : "unknown";
}
