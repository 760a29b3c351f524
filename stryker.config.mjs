// StrykerJS configuration of `npm run mutation` (scripts/mutation.ts), one core folder ("scope") per run:
// MUTATION_SCOPE names an entry of stryker/scopes.json, which lists the files to mutate and the only test files to
// run against them (vitest.mutation.config.ts reads the same entry). See docs/testing.md.
import { readFileSync } from "node:fs";

const scopes = JSON.parse(readFileSync(new URL("./stryker/scopes.json", import.meta.url), "utf8"));
const scope = process.env.MUTATION_SCOPE ?? "";
if (!Object.hasOwn(scopes, scope) || scope.startsWith("$")) {
  throw new Error(
    `MUTATION_SCOPE must be one of ${Object.keys(scopes)
      .filter((k) => !k.startsWith("$"))
      .join(", ")} (got "${scope}"); run npm run mutation`,
  );
}

/** @type {import("@stryker-mutator/api/core").PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  // related: false: a static mutant (module-level code) runs every test file of the scope, not only those vitest's
  // import-graph analysis relates to the mutated file (which found none in one traces run; docs/testing.md).
  vitest: { configFile: "vitest.mutation.config.ts", related: false },
  mutate: scopes[scope].mutate,
  coverageAnalysis: "perTest",
  concurrency: Number(process.env.MUTATION_CONCURRENCY ?? 2),
  timeoutMS: 20_000,
  // The initial (coverage) run of a scope's tests takes minutes on a loaded machine: Stryker's default 5 failed here.
  dryRunTimeoutMinutes: 20,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "json", "html"],
  jsonReporter: { fileName: `reports/mutation/${scope}.json` },
  htmlReporter: { fileName: `reports/mutation/${scope}.html` },
  incremental: true,
  incrementalFile: `reports/mutation/${scope}.incremental.json`,
  tempDirName: `.stryker-tmp/${scope}`,
  // Not copied into the sandbox: other scopes' sandboxes (runs in parallel), reports, eval outputs.
  ignorePatterns: [".stryker-tmp", "reports", "results", "dist", "docs/api"],
  cleanTempDir: "always",
  thresholds: { high: 90, low: 80, break: null },
};
