import { availableParallelism } from "node:os";
import { Semaphore } from "../members/semaphore.js";
import { runJudged, type JudgedJob, type JudgedResult } from "./run_judged.js";
import { runPython } from "./run_python.js";
import type { SandboxOptions, SandboxResult } from "./options.js";
import { sweepStaleSandboxDirs } from "./sweep.js";

/**
 * A concurrency limit for sandboxed runs: at most `concurrency` Python processes at once, the rest
 * queued in order. The default is twice the number of CPUs: a short run spends a good part of its
 * wall time in process and namespace creation and teardown rather than on a CPU (measured on 2
 * cores: 200 MBPP programs took 7.7 s at concurrency 4 versus 12.9 s at 2, and no better at 8).
 * Creating a pool sweeps stale sandbox temp dirs left by a killed parent ({@link sweepStaleSandboxDirs}).
 */
export class SandboxPool {
  /** Maximum simultaneous runs. */
  readonly concurrency: number;
  private readonly slots: Semaphore;

  constructor(options: { concurrency?: number; defaults?: SandboxOptions } = {}) {
    this.concurrency = Math.max(1, options.concurrency ?? 2 * availableParallelism());
    this.slots = new Semaphore(this.concurrency);
    this.defaults = options.defaults ?? {};
    sweepStaleSandboxDirs();
  }

  /** Options applied to every run (overridden per call). */
  readonly defaults: SandboxOptions;

  /**
   * Runs `fn` when a slot is free. When `signal` aborts while the job is still queued, it leaves the queue
   * and the promise rejects with the signal's reason (`fn` is never called).
   */
  schedule<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.slots.run(fn, signal);
  }

  /** {@link runPython} through the pool; `options.signal` also cancels the job while it is queued. */
  run(code: string, options: SandboxOptions = {}): Promise<SandboxResult> {
    const merged = { ...this.defaults, ...options };
    return this.schedule(() => runPython(code, merged), merged.signal);
  }

  /** {@link runJudged} through the pool (tests run in a judge apart from the candidate's interpreter). */
  judge(job: JudgedJob, options: SandboxOptions = {}): Promise<JudgedResult> {
    const merged = { ...this.defaults, ...options };
    return this.schedule(() => runJudged(job, merged), merged.signal);
  }
}
