import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inScope, readScopes } from "../../scripts/mutation_scopes.js";

// Every file a mutation scope mutates (stryker/scopes.json) loads inside a test. A mutant of module-level code that
// makes the module throw while it is imported (a zod discriminated union without its key, say) fails every test file
// importing the module at load, before any test runs; Stryker's vitest runner counts such a file as zero tests run
// and reports the mutant as a survivor. Imported here inside a test, the failure is a failed test (docs/testing.md).
// Under `npm run mutation` (MUTATION_SCOPE set) only the scope's files; in the suite, every scope's.

const ROOT = join(import.meta.dirname, "../..");

const scopes = readScopes();
const selected = process.env.MUTATION_SCOPE ? [process.env.MUTATION_SCOPE] : Object.keys(scopes);
const files = readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" })
  .map((file) => `src/${file.split("\\").join("/")}`)
  .filter((file) => file.endsWith(".ts") && selected.some((name) => inScope(scopes[name], file)))
  .sort();

describe("the modules mutation testing mutates", () => {
  it("are found for the scope(s)", () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(`${file} loads`, async () => {
      const module: Record<string, unknown> = await import(join(ROOT, file));
      expect(typeof module).toBe("object");
    });
  }
});
