import { spawn } from "node:child_process";
import { chownSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MissingDependencyError } from "../errors/index.js";
import { abortReason } from "../members/abort.js";
import { redactSecrets } from "../security/redact.js";
import {
  bwrapArgs,
  probeBwrap,
  refuseUnsandboxed,
  SANDBOX_PATH,
  SANDBOX_WORKDIR,
  warnUnsandboxedOnce,
} from "./isolation.js";
import type { IsolationKind, ResolvedSandboxOptions } from "./options.js";
import { SANDBOX_DIR_PREFIX } from "./sweep.js";

/** The only environment variables the sandboxed process gets (no API keys, nothing inherited). */
export function sandboxEnv(dir: string): Record<string, string> {
  return {
    PATH: SANDBOX_PATH,
    LANG: "C.UTF-8",
    PYTHONHASHSEED: "0",
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONIOENCODING: "utf-8",
    HOME: dir,
  };
}

/** What one sandboxed process did (before any interpretation of its output). */
export interface RawRun {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  outputLimitExceeded: boolean;
  /** Captured stdout (at most `maxOutputBytes + extraBytes`), not redacted. */
  stdout: string;
  /** Captured stderr, redacted. */
  stderr: string;
  wallMs: number;
  isolation: IsolationKind;
  uid: number | null;
}

/** Where and how a run is isolated: bubblewrap, or nothing when the user opted in to unsafe runs. */
export function resolveIsolation(opts: ResolvedSandboxOptions, uid: number | null): string | null {
  if (opts.isolation === "none") {
    if (!opts.unsafeAllowUnsandboxedCode) refuseUnsandboxed('isolation is "none"');
    warnUnsandboxedOnce('isolation is "none"');
    return null;
  }
  const probed = probeBwrap(uid, opts.python);
  if ("path" in probed) return probed.path;
  if (opts.isolation === "bwrap" || !opts.unsafeAllowUnsandboxedCode) refuseUnsandboxed(probed.error);
  warnUnsandboxedOnce(probed.error);
  return null;
}

/**
 * Runs `python -s -P -B [-S] -c program config(isolation)` in the sandbox, writes `stdin` to it, and collects its output.
 * With bubblewrap ({@link bwrapArgs}) the process sees only a read-only `/usr`, its own size-limited tmpfs as
 * cwd, no network; without it (unsafe opt-in only) it runs in a fresh host temp dir (0700, removed afterwards).
 * The whole process group (or sandbox) is SIGKILLed past `wallTimeMs`, when stdout or stderr pass
 * `maxOutputBytes + extraBytes`, or when `signal` aborts (the promise then rejects with the reason once the
 * process is gone). When the parent is root the process runs as `dropToUid`.
 */
export async function spawnSandboxed(
  program: string,
  config: (isolation: IsolationKind) => string,
  stdin: string,
  opts: ResolvedSandboxOptions,
  extraBytes = 0,
): Promise<RawRun> {
  const abortSignal = opts.signal;
  if (abortSignal?.aborted) throw abortReason(abortSignal);
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const uid = isRoot && opts.dropToUid !== null ? opts.dropToUid : null;
  const bwrap = resolveIsolation(opts, uid);
  const isolation: IsolationKind = bwrap ? "bwrap" : "none";
  const dir = bwrap ? null : mkdtempSync(join(tmpdir(), SANDBOX_DIR_PREFIX));
  if (dir && uid !== null) chownSync(dir, uid, uid);
  const started = Date.now();
  try {
    const pythonArgv = [opts.python, "-s", "-P", "-B", ...(opts.site ? [] : ["-S"]), "-c", program, config(isolation)];
    const [command, ...args] = bwrap
      ? [bwrap, ...bwrapArgs(pythonArgv, { diskBytes: opts.diskBytes, python: opts.python })]
      : pythonArgv;
    return await new Promise<RawRun>((resolvePromise, reject) => {
      const child = spawn(command, args, {
        cwd: dir ?? "/",
        env: sandboxEnv(dir ?? SANDBOX_WORKDIR),
        detached: true,
        stdio: ["pipe", "pipe", "pipe"],
        ...(uid !== null ? { uid, gid: uid } : {}),
      });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      const used = { out: 0, err: 0 };
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
        const room = opts.maxOutputBytes + extraBytes - used[which];
        if (room > 0) sink.push(data.subarray(0, room));
        used[which] += data.length;
        if (data.length > room && !outputLimitExceeded) {
          outputLimitExceeded = true;
          killGroup();
        }
      };
      child.stdout.on("data", collect(out, "out"));
      child.stderr.on("data", collect(err, "err"));
      child.stdin.on("error", () => undefined);
      child.stdin.end(stdin);
      const finish = (): void => {
        clearTimeout(timer);
        abortSignal?.removeEventListener("abort", onAbort);
      };
      child.on("error", (error: NodeJS.ErrnoException) => {
        finish();
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
        finish();
        killGroup();
        if (settled) return;
        settled = true;
        // Rejected only once the process is gone, so that the temp dir is removed after it.
        if (aborted && abortSignal) {
          reject(abortReason(abortSignal));
          return;
        }
        resolvePromise({
          exitCode,
          signal,
          timedOut,
          outputLimitExceeded,
          stdout: Buffer.concat(out).toString("utf8"),
          // Whatever the code printed is masked before it can reach a trace or log.
          stderr: redactSecrets(Buffer.concat(err).toString("utf8")),
          wallMs: Date.now() - started,
          isolation,
          uid,
        });
      });
    });
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
}
