import type * as ChildProcess from "node:child_process";
import { createRequire } from "node:module";
import { accessSync, constants, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { delimiter, dirname, isAbsolute, join } from "node:path";
import { MissingDependencyError } from "../errors/index.js";

/** Where the sandboxed code runs inside bubblewrap: a private, size-limited tmpfs (its cwd and HOME). */
export const SANDBOX_WORKDIR = "/sandbox";

/** The PATH the sandboxed process sees (also the PATH a bare `python` name is looked up in). */
export const SANDBOX_PATH = "/usr/local/bin:/usr/bin:/bin";

/** The fix named whenever no working bubblewrap is found. */
export const BWRAP_FIX =
  "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; Fedora: dnf install bubblewrap) and allow unprivileged user namespaces, " +
  "or accept the risk with unsafeAllowUnsandboxedCode: true (CLI --unsafe-allow-unsandboxed-code)";

const probes = new Map<string, { path: string } | { error: string }>();

/** Finds an executable on `path` (default: PATH; no shell), or `null`. */
export function findExecutable(name: string, path: string = process.env.PATH ?? ""): string | null {
  if (isAbsolute(name)) return name;
  for (const dir of path.split(delimiter)) {
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
 * The read-only part of the filesystem view: `/usr` (where the interpreter and its standard library live), the
 * top-level links into it (`/bin`, `/lib`, `/lib64`, `/sbin`, as links when they are links on the host, else
 * read-only binds), and, when the interpreter lives outside `/usr`, its install prefix. Nothing else of the host:
 * no /etc, /home, /root, /tmp, /work, /var, no repository, traces or key files.
 */
export function readOnlyView(python: string): string[] {
  const args = ["--ro-bind", "/usr", "/usr"];
  for (const top of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    try {
      const stat = lstatSync(top);
      if (stat.isSymbolicLink()) args.push("--symlink", readlinkSync(top), top);
      else if (stat.isDirectory()) args.push("--ro-bind", top, top);
    } catch {
      // absent on this system
    }
  }
  const found = findExecutable(python, SANDBOX_PATH);
  if (found) {
    try {
      const real = realpathSync(found);
      if (!real.startsWith("/usr/")) {
        const prefix = dirname(dirname(real));
        args.push("--ro-bind", prefix, prefix);
      }
    } catch {
      // a dangling path fails at spawn with a clear error
    }
  }
  return args;
}

/**
 * The bubblewrap arguments for running `argv`: the read-only minimal view ({@link readOnlyView}), a private
 * writable tmpfs of `diskBytes` bytes at {@link SANDBOX_WORKDIR} (the cwd and HOME; the only writable place, so
 * the disk a run can fill is capped by the kernel), fresh /dev and /proc, every namespace unshared (user, pid,
 * network, ipc, uts, cgroup: no network at all, not even loopback to the host), a new session, and death with
 * the parent.
 */
export function bwrapArgs(argv: readonly string[], options: { diskBytes: number; python: string }): string[] {
  return [
    ...readOnlyView(options.python),
    "--dev",
    "/dev",
    "--proc",
    "/proc",
    "--size",
    String(options.diskBytes),
    "--tmpfs",
    SANDBOX_WORKDIR,
    "--chdir",
    SANDBOX_WORKDIR,
    "--unshare-all",
    "--die-with-parent",
    "--new-session",
    "--",
    ...argv,
  ];
}

/**
 * The path of a working bubblewrap, or the reason there is none. Probed once per (uid, python) per process by
 * running `python -c pass` with exactly the arguments of a real run ({@link bwrapArgs}: tmpfs size, unshared
 * namespaces, as the uid the sandbox will use), so a bwrap too old for `--size` or a kernel that refuses user
 * namespaces is found at start-up, not in the middle of a grading.
 */
export function probeBwrap(uid: number | null, python: string): { path: string } | { error: string } {
  const key = `${uid}\u0000${python}`;
  const known = probes.get(key);
  if (known) return known;
  const path = findExecutable("bwrap");
  let result: { path: string } | { error: string };
  if (!path) result = { error: "bubblewrap (bwrap) is not on PATH" };
  else {
    // Loaded here, not imported: the pyramid's root entry checks the sandbox when built but must not load
    // node:child_process on import (test/package/pack.test.ts).
    const { spawnSync } = createRequire(import.meta.url)("node:child_process") as typeof ChildProcess;
    const probe = spawnSync(path, bwrapArgs([python, "-S", "-c", "pass"], { diskBytes: 1 << 20, python }), {
      stdio: ["ignore", "ignore", "pipe"],
      timeout: 10_000,
      env: { PATH: SANDBOX_PATH },
      ...(uid !== null ? { uid, gid: uid } : {}),
    });
    const stderr = probe.stderr?.toString("utf8").trim().split("\n")[0] ?? "";
    result =
      probe.status === 0
        ? { path }
        : {
            error: `bubblewrap (${path}) cannot run a sandbox here: ${stderr || probe.error?.message || `exit ${probe.status}`}`,
          };
  }
  probes.set(key, result);
  return result;
}

/** The path of a working bubblewrap, or `null` ({@link probeBwrap}). */
export function workingBwrap(uid: number | null, python = "python3"): string | null {
  const probed = probeBwrap(uid, python);
  return "path" in probed ? probed.path : null;
}

/** Forgets the probes (for tests that change PATH). */
export function resetBwrapProbe(): void {
  probes.clear();
}

/**
 * Throws the one-line refusal to run model-written code without an OS sandbox (a {@link MissingDependencyError}
 * naming `sandbox.isolation` and how to install bubblewrap or opt in).
 */
export function refuseUnsandboxed(reason: string): never {
  throw new MissingDependencyError(`refusing to run model-written code without an OS sandbox: ${reason}`, {
    field: "sandbox.isolation",
    fix: BWRAP_FIX,
  });
}

/**
 * Checks at start-up that model-written code can run: a working bubblewrap for the uid the sandbox will use
 * (`dropToUid` when the process is root), or the explicit unsafe opt-in (then warns once). Throws the refusal of
 * {@link refuseUnsandboxed} otherwise, with `fix` naming the way out of the caller's context when given.
 */
export function assertSandboxAvailable(
  options: { unsafeAllowUnsandboxedCode?: boolean; python?: string; dropToUid?: number | null } = {},
  fix: string = BWRAP_FIX,
): void {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const drop = options.dropToUid === undefined ? 65534 : options.dropToUid;
  const probed = probeBwrap(isRoot && drop !== null ? drop : null, options.python ?? "python3");
  if ("path" in probed) return;
  if (options.unsafeAllowUnsandboxedCode) {
    warnUnsandboxedOnce(probed.error);
    return;
  }
  throw new MissingDependencyError(`refusing to run model-written code without an OS sandbox: ${probed.error}`, {
    field: "sandbox.isolation",
    fix,
  });
}

let warned = false;

/** Prints, once per process, that code runs unsandboxed because the user opted in. */
export function warnUnsandboxedOnce(reason: string): void {
  if (warned) return;
  warned = true;
  console.warn(
    `pyramid-moa sandbox: ${reason}; running model-written code WITHOUT an OS sandbox because unsafeAllowUnsandboxedCode is set ` +
      "(it can read your files, use the network and write wherever its uid may).",
  );
}
