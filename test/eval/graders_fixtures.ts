import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { JudgedJob, JudgedResult } from "../../src/sandbox/run_judged.js";
import type { SandboxOptions } from "../../src/sandbox/options.js";
import type { SandboxPool } from "../../src/sandbox/pool.js";
import { tempDirs } from "../helpers/temp_dirs.js";

// Shared fixtures of the graders' unit tests (graders_logic.test.ts, graders_edges.test.ts).

const tmp = tempDirs("pyramid-graders-");

/**
 * A recorded GSM8K file (`gsm8k.jsonl` in a fresh temporary folder) of `lines`, each of benchmark `gsm8k`, model `m`
 * and one user message `q` unless it gives its own.
 */
export function recordedGsm8k(lines: readonly Record<string, unknown>[]): string {
  const file = join(tmp(), "gsm8k.jsonl");
  const full = lines.map((line) => ({
    benchmark: "gsm8k",
    model: "m",
    messages: [{ role: "user", content: "q" }],
    ...line,
  }));
  writeFileSync(file, full.map((line) => JSON.stringify(line)).join("\n"));
  return file;
}

/** A pool that records the job and returns a given judge verdict, to test the graders' logic around the sandbox. */
export function fakePool(result: Partial<JudgedResult>): {
  pool: SandboxPool;
  calls: { job: JudgedJob; options: SandboxOptions }[];
} {
  const calls: { job: JudgedJob; options: SandboxOptions }[] = [];
  const pool = {
    judge: async (job: JudgedJob, options: SandboxOptions = {}): Promise<JudgedResult> => {
      calls.push({ job, options });
      return { passed: false, reason: null, test: null, wallMs: 1, isolation: "bwrap", stderr: "", ...result };
    },
  } as unknown as SandboxPool;
  return { pool, calls };
}
