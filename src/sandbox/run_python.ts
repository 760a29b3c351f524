import { randomBytes } from "node:crypto";
import { validate } from "../errors/validate.js";
import { redactSecrets } from "../security/redact.js";
import { sandboxOptionsSchema, type SandboxOptions, type SandboxResult } from "./options.js";
import { PYTHON_PRELUDE } from "./prelude.js";
import { spawnSandboxed } from "./spawn.js";

export { sandboxEnv } from "./spawn.js";

/**
 * Runs untrusted Python `code` in the OS sandbox and reports what happened.
 *
 * - Isolation: bubblewrap (`spawnSandboxed`): the process sees a read-only `/usr` and nothing else of the
 *   host (no /etc, /home, /tmp, /work, repository, traces or key files), runs in its own size-limited tmpfs
 *   (`diskBytes`), with no network, its own pid namespace and no environment but {@link sandboxEnv}. Without a
 *   working bubblewrap the run is refused (`MissingDependencyError`, field `sandbox.isolation`) unless
 *   `unsafeAllowUnsandboxedCode` is set.
 * - `python3 -s -P -B -S -c PRELUDE` (`-S` unless `site: true`); the code arrives on stdin, is written to
 *   `candidate.py` in the cwd and run as `__main__`.
 * - Kernel limits set with `setrlimit` before the code runs ({@link PYTHON_PRELUDE}): RLIMIT_CPU, RLIMIT_AS,
 *   RLIMIT_FSIZE, RLIMIT_NPROC, RLIMIT_NOFILE, no core dumps; a wall-time limit that SIGKILLs the whole sandbox;
 *   stdout/stderr capped at `maxOutputBytes` (killed past it). A Python audit hook adds defense in depth only.
 * - When the parent is root, the sandbox runs as uid/gid `dropToUid` (nobody), so that RLIMIT_NPROC applies.
 * - `signal` cancels the run: the sandbox is killed and, once it is gone, the promise rejects with the reason.
 * - Captured stdout and stderr pass through `redactSecrets` before they are returned.
 *
 * `completed` (the code ran to its end) is reported by the code's own interpreter, which the code controls: it is
 * not a verdict. Graders use {@link runJudged}, whose verdict comes from a process the code cannot reach.
 */
export async function runPython(code: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const opts = validate(sandboxOptionsSchema, options, { field: "sandbox", fix: "see SandboxOptions" });
  const token = randomBytes(16).toString("hex");
  const config = (isolation: string): string =>
    JSON.stringify({
      cpu: opts.cpuTimeSec,
      mem: opts.memoryBytes,
      fsize: opts.maxFileBytes,
      nproc: opts.maxProcesses,
      nofile: opts.maxOpenFiles,
      audit: opts.auditHook,
      files: opts.maxFiles,
      // Self-termination backstops for when this process dies without killing the child (SIGKILL, crash):
      // SIGALRM a little after the wall limit, and the parent pid to die with (bwrap has --die-with-parent).
      alarm: Math.ceil(opts.wallTimeMs / 1000) + 2,
      ppid: isolation === "bwrap" ? 0 : process.pid,
    });
  const raw = await spawnSandboxed(
    PYTHON_PRELUDE,
    config,
    `${JSON.stringify({ token, code })}\n`,
    opts,
    token.length + 2,
  );
  let stdout = raw.stdout;
  const marker = `\n${token}\n`;
  const completed = raw.exitCode === 0 && !raw.timedOut && !raw.outputLimitExceeded && stdout.endsWith(marker);
  if (stdout.endsWith(marker)) stdout = stdout.slice(0, -marker.length);
  if (stdout.length > opts.maxOutputBytes) stdout = stdout.slice(0, opts.maxOutputBytes);
  // Under bubblewrap a signal of the code arrives as exit code 128 + signal: 152 = SIGXCPU (soft CPU limit),
  // 137 = SIGKILL (the hard CPU limit, one second later, when SIGXCPU was ignored).
  const killed = raw.signal === "SIGKILL" || (raw.isolation === "bwrap" && raw.exitCode === 137);
  const cpuLimitExceeded =
    !raw.timedOut && (raw.signal === "SIGXCPU" || raw.exitCode === 152 || (killed && !raw.outputLimitExceeded));
  return {
    completed,
    exitCode: raw.exitCode,
    signal: raw.signal,
    timedOut: raw.timedOut,
    cpuLimitExceeded,
    memoryError: /\bMemoryError\b/.test(raw.stderr),
    outputLimitExceeded: raw.outputLimitExceeded,
    stdout: redactSecrets(stdout),
    stderr: raw.stderr,
    wallMs: raw.wallMs,
    isolation: raw.isolation,
    uid: raw.uid,
  };
}
