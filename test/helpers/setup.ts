/**
 * Vitest setup (every test file): most test members are deliberately unpriced (their cost is not what the test is
 * about), so the once-per-member PYRAMID_MOA_UNPRICED warning would flood the run's stderr. It is still emitted
 * (tests of it spy on `process.emitWarning` or listen for "warning"); only Node's printing of that one code is left
 * out here, in the test processes. Every other warning is printed as Node prints it.
 */
const QUIET_CODES = new Set(["PYRAMID_MOA_UNPRICED"]);

const printers = process.listeners("warning");
process.removeAllListeners("warning");
process.on("warning", (warning: Error & { code?: string }) => {
  if (warning.code !== undefined && QUIET_CODES.has(warning.code)) return;
  for (const print of printers) print(warning);
});
