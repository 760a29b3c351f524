import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MissingDependencyError } from "../errors/index.js";
import { abortReason } from "../members/abort.js";
import { redactSecrets } from "../security/redact.js";
import { bwrapArgs, warnNoIsolationOnce, workingBwrap } from "./isolation.js";
import { sandboxOptionsSchema, type IsolationKind, type SandboxOptions, type SandboxResult } from "./options.js";
import { PYTHON_PRELUDE } from "./prelude.js";
import { SANDBOX_DIR_PREFIX } from "./sweep.js";
import { validate } from "../errors/validate.js";

/** The only environment variables the sandboxed process gets (no API keys, nothing inherited). */
export function sandboxEnv(dir: string): Record<string, string> {
  return {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    LANG: "C.UTF-8",
    PYTHONHASHSEED: "0",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONIOENCODING: "utf-8",
    HOME: dir,
  };
}

/**
 * Runs untrusted Python `code` in a child process and reports what happened.
 *
 * - `python3 -s -P -B -S -c PRELUDE` (`-S` unless `site: true`) spawned directly (no shell) in a fresh temp dir (mode 0700,
 *   removed afterwards) that is its cwd and `HOME`; the code is `candidate.py` in that dir.
 *   (This is `-I` isolated mode minus `-E`: the environment is a whitelist built here, see
 *   {@link sandboxEnv}, and keeping `PYTHONHASHSEED=0` makes set/dict order reproducible.)
 * - Limits: RLIMIT_CPU, RLIMIT_AS, RLIMIT_FSIZE, RLIMIT_NPROC, RLIMIT_NOFILE set by the prelude
 *   before the code runs ({@link PYTHON_PRELUDE}); at most `maxFiles` new files/dirs (audit hook), so the
 *   disk a run fills is bounded by `maxFiles * maxFileBytes`; a wall-time limit that SIGKILLs the whole process
 *   group; stdout/stderr capped at `maxOutputBytes` (the process is killed past it).
 * - The child does not outlive this process: without bubblewrap the prelude sets `PR_SET_PDEATHSIG`
 *   (SIGKILL when this process dies, Linux) and `alarm(wall limit + 2 s)`; bubblewrap runs with
 *   `--die-with-parent`. Temp dirs a killed parent left behind are swept by a new {@link SandboxPool}.
 * - When the parent is root, the child runs as uid/gid `dropToUid` (nobody): root is exempt from
 *   RLIMIT_NPROC, and nobody cannot write root's files.
 * - `signal` cancels the run: the process group is killed and, once it is gone and the temp dir removed,
 *   the promise rejects with the signal's reason.
 * - Captured stdout and stderr pass through `redactSecrets` (the parent's secret-looking environment values
 *   and well-known key shapes are masked) before they are returned.
 * - With bubblewrap available (isolation `auto` or `bwrap`), the filesystem is read-only except
 *   the temp dir, /tmp is private, and there is no network and no view of other processes.
 */
export async function runPython(code: string, options: SandboxOptions = {}): Promise<SandboxResult> {
  const opts = validate(sandboxOptionsSchema, options, { field: "sandbox", fix: "see SandboxOptions" });
  const abortSignal = opts.signal;
  if (abortSignal?.aborted) throw abortReason(abortSignal);
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const uid = isRoot && opts.dropToUid !== null ? opts.dropToUid : null;

  let isolation: IsolationKind = "none";
  let bwrap: string | null = null;
  if (opts.isolation !== "none") {
    bwrap = workingBwrap(uid);
    if (bwrap) isolation = "bwrap";
    else if (opts.isolation === "bwrap") {
      throw new MissingDependencyError("bubblewrap (bwrap) is not installed or cannot create namespaces here", {
        field: "sandbox.isolation",
        fix: "install it (Debian/Ubuntu: apt-get install bubblewrap) or use isolation: 'auto'",
      });
    } else warnNoIsolationOnce("bubblewrap (bwrap) is not available");
  }

  const dir = mkdtempSync(join(tmpdir(), SANDBOX_DIR_PREFIX));
  const started = Date.now();
  try {
    writeFileSync(join(dir, "candidate.py"), code, { mode: 0o600 });
    if (uid !== null) {
      chownSync(dir, uid, uid);
      chownSync(join(dir, "candidate.py"), uid, uid);
    }
    const config = JSON.stringify({
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
      ppid: bwrap ? 0 : process.pid,
    });
    const pythonArgv = [opts.python, "-s", "-P", "-B", ...(opts.site ? [] : ["-S"]), "-c", PYTHON_PRELUDE, config];
    const [command, ...args] = bwrap ? [bwrap, ...bwrapArgs(dir, pythonArgv)] : pythonArgv;
    const token = randomBytes(16).toString("hex");

    return await new Promise<SandboxResult>((resolvePromise, reject) => {
      const child = spawn(command, args, {
        cwd: dir,
        env: sandboxEnv(dir),
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
        ...(uid !== null ? { uid, gid: uid } : {}),
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let outBytes = 0;
      let errBytes = 0;
      let timedOut = false;
      let outputLimitExceeded = false;
      let settled = false;
      const killGroup = (): void => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // already gone
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, opts.wallTimeMs);
      let aborted = false;
      const onAbort = (): void => {
        aborted = true;
        killGroup();
      };
      abortSignal?.addEventListener("abort", onAbort, { once: true });
      const collect = (sink: Buffer[], which: "out" | "err") => (data: Buffer) => {
        const used = which === "out" ? outBytes : errBytes;
        const room = opts.maxOutputBytes + token.length + 2 - used;
        if (room > 0) sink.push(data.subarray(0, room));
        if (which === "out") outBytes += data.length;
        else errBytes += data.length;
        if (data.length > room && !outputLimitExceeded) {
          outputLimitExceeded = true;
          killGroup();
        }
      };
      child.stdout.on("data", collect(out, "out"));
      child.stderr.on("data", collect(err, "err"));
      child.stdin.on("error", () => undefined);
      child.stdin.end(`${token}\n`);
      child.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        abortSignal?.removeEventListener("abort", onAbort);
        if (settled) return;
        settled = true;
        if (error.code === "ENOENT") {
          reject(
            new MissingDependencyError(`${command} not found`, {
              field: "sandbox.python",
              fix: "install python3 (Debian/Ubuntu: apt-get install python3) or set sandbox.python",
              cause: error,
            }),
          );
        } else reject(error);
      });
      child.on("close", (exitCode, signal) => {
        clearTimeout(timer);
        abortSignal?.removeEventListener("abort", onAbort);
        killGroup();
        if (settled) return;
        settled = true;
        // Rejected only once the process is gone, so that the temp dir is removed after it.
        if (aborted && abortSignal) {
          reject(abortReason(abortSignal));
          return;
        }
        let stdout = Buffer.concat(out).toString("utf8");
        const rawStderr = Buffer.concat(err).toString("utf8");
        const marker = `\n${token}\n`;
        const completed = exitCode === 0 && !timedOut && !outputLimitExceeded && stdout.endsWith(marker);
        if (stdout.endsWith(marker)) stdout = stdout.slice(0, -marker.length);
        if (stdout.length > opts.maxOutputBytes) stdout = stdout.slice(0, opts.maxOutputBytes);
        // Whatever the code printed is masked before it can reach a trace or log (keys in the parent's env, token shapes).
        stdout = redactSecrets(stdout);
        const stderr = redactSecrets(rawStderr);
        const cpuLimitExceeded =
          !timedOut && (signal === "SIGXCPU" || (signal === "SIGKILL" && !outputLimitExceeded) || exitCode === 152);
        resolvePromise({
          completed,
          exitCode,
          signal,
          timedOut,
          cpuLimitExceeded,
          memoryError: /\bMemoryError\b/.test(stderr),
          outputLimitExceeded,
          stdout,
          stderr,
          wallMs: Date.now() - started,
          isolation,
          uid,
        });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
