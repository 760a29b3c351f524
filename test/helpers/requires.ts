/**
 * The one way a test may depend on something the machine might lack (libxgboost, bubblewrap, the npm registry, ...):
 * `describe.skipIf(missing(available, "what"))`. Outside CI a missing requirement skips the test; with `CI=true` it
 * throws while the file is collected, so the run fails instead of passing with the test silently skipped (`.ci/run`
 * installs every requirement). test/architecture/test_hygiene.test.ts refuses any other `skipIf`/`runIf`.
 */
export function missing(available: boolean, what: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (available) return false;
  if (isCi(env)) {
    throw new Error(
      `CI=true but ${what} is missing: this test must run in CI, not skip. Install it (see .ci/run) or unset CI.`,
    );
  }
  return true;
}

/** Whether the run is a CI run (`CI` set to anything but "", "0" or "false"). */
export function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env.CI?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}
