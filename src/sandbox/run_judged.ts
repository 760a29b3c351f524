import { randomBytes } from "node:crypto";
import { validate } from "../errors/validate.js";
import { CODEC_PY } from "./judge_codec.js";
import { JUDGE_PY } from "./judge_py.js";
import { WORKER_PY } from "./judge_worker.js";
import { sandboxOptionsSchema, type IsolationKind, type SandboxOptions } from "./options.js";
import { SANDBOX_WORKDIR } from "./isolation.js";
import { sandboxEnv, spawnSandboxed } from "./spawn.js";

/** What a judged run is asked to do: load a candidate program, then run trusted tests against it. */
export interface JudgedJob {
  /** Trusted lines run in the judge first (the benchmark's test imports). */
  readonly setup: readonly string[];
  /** The candidate's program (run in the worker as `__main__`; its names become proxies in the judge). */
  readonly program: string;
  /** Trusted test code, run one after another in the judge; the first that raises fails the run. */
  readonly tests: readonly string[];
  /** CPU seconds of one call of a candidate function (ITIMER_PROF in the worker). */
  readonly perTestSec: number;
}

/** The verdict of a judged run, as written by the judge (or why there is none). */
export interface JudgedResult {
  /** Every test passed. Only the judge's nonce-bearing line can make this true. */
  readonly passed: boolean;
  /**
   * Why not: `assert` (a test's assertion failed), `timeout` (a call passed its CPU time), `error:<Type>` (a test
   * raised, or the program did not load: `error:SyntaxError`), `worker:<code>` (the worker died: -24 CPU limit,
   * -9 killed), `wall-timeout`, `output-limit`, `no verdict`.
   */
  readonly reason: string | null;
  /** Index of the failing test (`null`: the program itself, or no test). */
  readonly test: number | null;
  readonly wallMs: number;
  readonly isolation: IsolationKind;
  /** The judge's stderr (redacted; empty unless the judge itself failed). */
  readonly stderr: string;
}

/**
 * Runs `job` in the OS sandbox with the verdict computed outside the candidate's interpreter: a trusted judge
 * process (`JUDGE_PY`) runs the tests and talks to the candidate's code in a fresh worker interpreter
 * (`WORKER_PY`) that gets the sandbox's kernel limits and no process creation; values cross as plain data
 * (`CODEC_PY`). The verdict is the judge's line carrying a per-run random nonce that only the judge ever
 * holds. Same isolation, refusal and options as {@link runPython} (`cpuTimeSec`, `memoryBytes`, `maxFileBytes`,
 * `maxOpenFiles` apply to the worker; `maxProcesses` is 0 for it whatever the option).
 */
export async function runJudged(job: JudgedJob, options: SandboxOptions = {}): Promise<JudgedResult> {
  const opts = validate(sandboxOptionsSchema, options, { field: "sandbox", fix: "see SandboxOptions" });
  const nonce = randomBytes(24).toString("hex");
  const config = (isolation: IsolationKind): string =>
    JSON.stringify({ alarm: Math.ceil(opts.wallTimeMs / 1000) + 2, ppid: isolation === "bwrap" ? 0 : process.pid });
  const stdin = JSON.stringify({
    nonce,
    setup: job.setup,
    program: job.program,
    tests: job.tests,
    perTestSec: job.perTestSec,
    worker: CODEC_PY + WORKER_PY,
    env: sandboxEnv(SANDBOX_WORKDIR),
    limits: {
      cpu: opts.cpuTimeSec,
      mem: opts.memoryBytes,
      judgeMem: Math.max(opts.memoryBytes, 256 * 1024 * 1024),
      fsize: opts.maxFileBytes,
      nofile: opts.maxOpenFiles,
      nproc: 0,
      reply: 16 * 1024 * 1024,
    },
  });
  const raw = await spawnSandboxed(CODEC_PY + JUDGE_PY, config, stdin, opts);
  const base = { wallMs: raw.wallMs, isolation: raw.isolation, stderr: raw.stderr };
  const prefix = `\n${nonce} `;
  const at = raw.stdout.lastIndexOf(prefix);
  if (at >= 0 && !raw.timedOut && !raw.outputLimitExceeded) {
    const line = raw.stdout.slice(at + prefix.length).split("\n")[0];
    try {
      const parsed = JSON.parse(line) as { passed?: unknown; reason?: unknown; test?: unknown };
      return {
        passed: parsed.passed === true,
        reason: parsed.passed === true ? null : String(parsed.reason),
        test: typeof parsed.test === "number" ? parsed.test : null,
        ...base,
      };
    } catch {
      // fall through: no readable verdict
    }
  }
  const reason = raw.timedOut ? "wall-timeout" : raw.outputLimitExceeded ? "output-limit" : "no verdict";
  return { passed: false, reason, test: null, ...base };
}
