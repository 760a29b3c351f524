/**
 * The mutation testing scopes of stryker/scopes.json, read once for scripts/mutation.ts and
 * test/mutation/modules_load.test.ts: each scope's files to mutate (globs, `!` excludes) and its test files.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One entry of stryker/scopes.json. */
export interface Scope {
  readonly mutate: readonly string[];
  readonly tests: readonly string[];
  /** The score (percent) CI requires of this scope's changed code; set from the first full run. */
  readonly threshold?: number;
}

/** The scopes of stryker/scopes.json by name (its `$comment` left out). */
export function readScopes(): Record<string, Scope> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  const all = JSON.parse(readFileSync(join(root, "stryker/scopes.json"), "utf8")) as Record<string, Scope>;
  return Object.fromEntries(Object.entries(all).filter(([name]) => !name.startsWith("$")));
}

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

/** Whether `file` (a repository path) is mutated by `scope`: it matches a pattern and no `!` pattern. */
export function inScope(scope: Scope, file: string): boolean {
  const positive = scope.mutate.filter((p) => !p.startsWith("!"));
  const negative = scope.mutate.filter((p) => p.startsWith("!")).map((p) => p.slice(1));
  return positive.some((p) => globRegex(p).test(file)) && !negative.some((p) => globRegex(p).test(file));
}
