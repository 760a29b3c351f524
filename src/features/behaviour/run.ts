import { randomBytes } from "node:crypto";
import { extractPythonCode } from "../../answers/code_extract.js";
import type { SandboxResult } from "../../sandbox/options.js";
import type { SandboxPool } from "../../sandbox/pool.js";
import type { Candidate } from "../../core/types.js";
import { PROBE_EXTRACTION_PY } from "./harness_extract.js";
import { PROBE_RUN_PY } from "./harness_run.js";
import type { ResolvedCodeBehaviourOptions } from "./options.js";
import type { ProbeSource } from "./sources.js";

/** What running one candidate on the probes gave. */
export type CandidateBehaviour =
  /** The member's call failed: it has no output (its per-member features are NaN). */
  | { readonly kind: "absent" }
  /** No code, a syntax error, an exception at module level, a timeout, or a sandbox failure. */
  | {
      readonly kind: "failed";
      readonly reason: string;
      readonly probes?: readonly string[];
      /** Per probe, when the probes were found: whether this candidate's output wrote down its output (a claim). */
      readonly claimed?: readonly boolean[];
    }
  /**
   * The module ran; one result per probe (canonical return value, `!Error` or `?unmapped`), and per probe whether
   * its code returns what this candidate's output wrote down for the call (`null`: it wrote down nothing).
   */
  | {
      readonly kind: "ran";
      readonly probes: readonly string[];
      readonly results: readonly string[];
      readonly claims: readonly (boolean | null)[];
    };

interface Report {
  probes: string[];
  status: string;
  error: string | null;
  results: string[];
  claimed?: boolean[];
  claims?: (boolean | null)[];
}

/** Escapes every non-ASCII character, so that the JSON is a plain ASCII Python string literal. */
function asciiLiteral(json: string): string {
  return JSON.stringify(json).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** The Python program that finds the probes in `sources` and runs `code` on them. */
export function behaviourProgram(
  code: string,
  sources: readonly ProbeSource[],
  marker: string,
  options: Pick<ResolvedCodeBehaviourOptions, "maxProbes" | "probeTimeSec" | "moduleTimeSec">,
  self = -1,
): string {
  const config = {
    code,
    self,
    sources,
    marker,
    maxProbes: options.maxProbes,
    probeSec: options.probeTimeSec,
    moduleSec: options.moduleTimeSec,
  };
  return `CONFIG = ${asciiLiteral(JSON.stringify(config))}\n${PROBE_RUN_PY}\n${PROBE_EXTRACTION_PY}\nmain(json.loads(CONFIG))\n`;
}

/** Reads the harness's JSON report after the marker line; `null` when there is none. */
function readReport(run: SandboxResult, marker: string): Report | null {
  const at = run.stdout.lastIndexOf(`\n${marker}\n`);
  if (at < 0) return null;
  try {
    const report = JSON.parse(run.stdout.slice(at + marker.length + 2)) as Report;
    return Array.isArray(report.probes) && Array.isArray(report.results) ? report : null;
  } catch {
    return null;
  }
}

/** Why a run without a report failed. */
function runFailure(run: SandboxResult): string {
  if (run.timedOut) return "timeout";
  if (run.cpuLimitExceeded) return "cpu-limit";
  if (run.outputLimitExceeded) return "output-limit";
  if (run.memoryError) return "memory";
  return "no report";
}

/**
 * Runs one candidate in the sandbox through `pool`: its code as the code grader would pick it (the first Python
 * block defining a function), against the probes found in `sources`. Rejects only when the sandbox cannot run or
 * `signal` aborts.
 */
export async function runCandidate(
  candidate: Candidate,
  sources: readonly ProbeSource[],
  pool: SandboxPool,
  options: ResolvedCodeBehaviourOptions,
  signal: AbortSignal,
  position = -1,
): Promise<CandidateBehaviour> {
  if (candidate.error !== undefined) return { kind: "absent" };
  const code = extractPythonCode(candidate.text);
  if (!/^\s*(?:async\s+)?def\s+\w+\s*\(/m.test(code)) return { kind: "failed", reason: "no function" };
  const marker = `PYRAMID_BEHAVIOUR_${randomBytes(12).toString("hex")}`;
  const program = behaviourProgram(code, sources, marker, options, position);
  // A sandbox that cannot run (no python3, a bad option) or an abort rejects: not the candidate's fault, so the
  // caller reports the features as unknown rather than this candidate as failed.
  const run = await pool.run(program, {
    wallTimeMs: options.runTimeoutMs,
    cpuTimeSec: Math.max(1, Math.ceil(options.moduleTimeSec + options.probeTimeSec * options.maxProbes * 4)),
    unsafeAllowUnsandboxedCode: options.unsafeAllowUnsandboxedCode,
    signal,
  });
  const report = readReport(run, marker);
  if (!report) return { kind: "failed", reason: runFailure(run) };
  if (report.status !== "ok") {
    const claimed = report.probes.map((_, i) => report.claimed?.[i] === true);
    return { kind: "failed", reason: `${report.status}: ${report.error ?? ""}`, probes: report.probes, claimed };
  }
  const claims = report.probes.map((_, i) => report.claims?.[i] ?? null);
  return { kind: "ran", probes: report.probes, results: report.results, claims };
}
