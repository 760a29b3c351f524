import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";

// The vitest configuration of mutation runs (stryker.config.mjs): only the test files of MUTATION_SCOPE's entry in
// stryker/scopes.json, so that each mutant runs against the tests of its folder and not the whole suite.
const scopes = JSON.parse(readFileSync(new URL("./stryker/scopes.json", import.meta.url), "utf8")) as Record<
  string,
  { tests?: string[] }
>;
const tests = scopes[process.env.MUTATION_SCOPE ?? ""]?.tests;
if (!tests) throw new Error("MUTATION_SCOPE must name an entry of stryker/scopes.json (run npm run mutation)");

export default defineConfig({
  test: {
    include: tests,
    setupFiles: ["test/helpers/setup.ts"], // as vitest.config.ts
    testTimeout: 180_000,
    hookTimeout: 180_000,
  },
});
