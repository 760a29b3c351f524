import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";

let bwrapPath: string | null | undefined;
let warned = false;

/** Finds an executable on PATH (no shell), or `null`. */
export function findExecutable(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/**
 * The path of a working bubblewrap (`bwrap`), or `null`: found on PATH and able to create its
 * namespaces here (probed once per process with `bwrap --ro-bind / / --unshare-all true`, as the
 * uid the sandbox will use). Debian package: `bubblewrap`.
 */
export function workingBwrap(uid: number | null): string | null {
  if (bwrapPath !== undefined) return bwrapPath;
  const path = findExecutable("bwrap");
  if (!path) {
    bwrapPath = null;
    return null;
  }
  const probe = spawnSync(path, ["--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"], {
    stdio: "ignore",
    timeout: 10_000,
    ...(uid !== null ? { uid, gid: uid } : {}),
  });
  bwrapPath = probe.status === 0 ? path : null;
  return bwrapPath;
}

/** Prints, once per process, that code runs without namespace isolation and what that means. */
export function warnNoIsolationOnce(reason: string): void {
  if (warned) return;
  warned = true;
  console.warn(
    `pyramid-moa sandbox: ${reason}; candidate code runs without namespace isolation ` +
      "(resource limits, a fresh temp dir, a stripped environment, the uid drop when root and a Python audit hook still apply, " +
      "but the code can write wherever its uid may, e.g. /tmp). Install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) for a read-only filesystem, private /tmp and no network.",
  );
}

/**
 * The bubblewrap arguments for running `argv` in `dir`: the whole filesystem read-only, `dir`
 * writable, a private empty /tmp, fresh /dev and /proc, every namespace unshared (user, pid,
 * network, ipc, uts, cgroup), a new session, and death with the parent.
 */
export function bwrapArgs(dir: string, argv: readonly string[]): string[] {
  return [
    "--ro-bind",
    "/",
    "/",
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--tmpfs",
    "/tmp",
    "--bind",
    dir,
    dir,
    "--chdir",
    dir,
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--",
    ...argv,
  ];
}
