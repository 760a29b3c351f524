import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Keeps the deliberate PYRAMID_MOA_UNPRICED warnings of unpriced test members off the run's stderr.
    setupFiles: ["test/helpers/setup.ts"],
    testTimeout: 180_000, // child-process tests (eval, serve, pack) on a busy 2-core machine
    hookTimeout: 180_000,
  },
});
