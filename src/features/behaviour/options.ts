import { z } from "zod";
import { validate } from "../../errors/validate.js";
import type { SandboxPool } from "../../sandbox/pool.js";

/**
 * Limits of the code behavioural agreement features (validated with zod at the boundary). The defaults keep a
 * query's sandbox work to about a tenth of a second for typical MBPP-like candidates and bound it at `budgetMs`.
 */
export const codeBehaviourOptionsSchema = z
  .object({
    /** Wall-clock cap of one candidate's run, in ms; past it the candidate counts as failed. */
    runTimeoutMs: z.number().int().positive().default(3000),
    /**
     * Wall-clock cap of the whole group per query (queueing included), in ms; past it the runs are killed and the
     * features are NaN (unknown, not the candidates' fault).
     */
    budgetMs: z.number().int().positive().default(8000),
    /** CPU-time cap of one probe call, in seconds; past it the call's result is `!TimeoutError`. */
    probeTimeSec: z.number().positive().max(60).default(0.5),
    /** CPU-time cap of running the candidate's module (its top-level code), in seconds. */
    moduleTimeSec: z.number().positive().max(60).default(1),
    /** Most probes run per candidate. */
    maxProbes: z.number().int().positive().max(200).default(16),
    /**
     * Also check each candidate's code against the outputs its member wrote down in its own examples (the
     * `behaviour_claims_met_<i>` features). Off by default (on MBPP they did not raise the router's holdout AUC
     * beyond noise, see docs/code-behaviour.md); the pyramid turns it on for a router trained with them.
     */
    claims: z.boolean().default(false),
    /**
     * Run the candidates without an OS sandbox when bubblewrap is unavailable (unsafe; see `SandboxOptions`).
     * Default false: the runs are refused and the features are unknown.
     */
    unsafeAllowUnsandboxedCode: z.boolean().default(false),
    /**
     * Pool bounding concurrent sandbox runs (shared with other queries); default one pool per process, at most
     * twice the CPUs at once.
     */
    pool: z
      .custom<SandboxPool>((value) => typeof (value as { run?: unknown } | null)?.run === "function", {
        message: "expected a SandboxPool (from pyramid-moa/eval)",
      })
      .optional(),
  })
  .strict();

/** Options of the code behavioural agreement (input form: every field optional). */
export type CodeBehaviourOptions = z.input<typeof codeBehaviourOptionsSchema>;

/** Options after defaults. */
export type ResolvedCodeBehaviourOptions = z.output<typeof codeBehaviourOptionsSchema>;

/** Validates the options, naming the offending field (`codeBehaviour.<field>`) on error. */
export function resolveCodeBehaviourOptions(options: CodeBehaviourOptions = {}): ResolvedCodeBehaviourOptions {
  return validate(codeBehaviourOptionsSchema, options, { field: "codeBehaviour", fix: "see CodeBehaviourOptions" });
}

let sharedPool: Promise<SandboxPool> | undefined;

/**
 * The process-wide pool used when no `pool` is given, created on first use. The sandbox (child processes) is loaded
 * only then, so importing the pyramid does not load it.
 */
export function defaultBehaviourPool(): Promise<SandboxPool> {
  sharedPool ??= import("../../sandbox/pool.js").then(({ SandboxPool }) => new SandboxPool());
  return sharedPool;
}
