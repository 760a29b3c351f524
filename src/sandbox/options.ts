import { z } from "zod";

/**
 * Limits and isolation of one sandboxed Python run (validated with zod at the boundary).
 * Defaults suit grading one MBPP/HumanEval candidate.
 */
export const sandboxOptionsSchema = z.object({
  /** Wall-clock limit in ms; the whole process group (or bwrap sandbox) is SIGKILLed past it. */
  wallTimeMs: z.number().int().positive().default(10_000),
  /** CPU-time limit in seconds (RLIMIT_CPU; SIGXCPU then SIGKILL one second later). */
  cpuTimeSec: z.number().int().positive().default(5),
  /** Address-space limit in bytes (RLIMIT_AS); a memory bomb gets a MemoryError. */
  memoryBytes: z
    .number()
    .int()
    .positive()
    .default(512 * 1024 * 1024),
  /** Largest file the code may write, in bytes (RLIMIT_FSIZE). */
  maxFileBytes: z
    .number()
    .int()
    .nonnegative()
    .default(1024 * 1024),
  /**
   * Directory entries (files, directories, links) the code may create, counted by the audit hook. With
   * `maxFileBytes` this bounds the disk a run can fill: at most `maxFiles * maxFileBytes` bytes (100 MiB by
   * default) in its temp dir, the only place it may write. The bound needs the audit hook (`auditHook: true`);
   * without it only the per-file limit applies.
   */
  maxFiles: z.number().int().nonnegative().default(100),
  /**
   * Size of the private writable tmpfs the code runs in (bubblewrap), in bytes: the kernel refuses writes past it
   * (ENOSPC), whatever the code does. Default 64 MiB. Without bubblewrap (unsafe opt-in) only `maxFileBytes` and
   * `maxFiles` apply.
   */
  diskBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  /** Processes/threads the sandbox user may create (RLIMIT_NPROC); 0 blocks fork and threads. */
  maxProcesses: z.number().int().nonnegative().default(0),
  /** Open file descriptors (RLIMIT_NOFILE). */
  maxOpenFiles: z.number().int().positive().default(64),
  /** Bytes kept of stdout and of stderr each; past it the process is killed (`outputLimitExceeded`). */
  maxOutputBytes: z
    .number()
    .int()
    .positive()
    .default(64 * 1024),
  /**
   * Install the Python audit hook that refuses process creation, ctypes, sockets and writes outside
   * the temp dir (defense in depth; turn off only to test the layers under it).
   */
  auditHook: z.boolean().default(true),
  /**
   * Load `site` (site-packages, .pth files). Off by default: candidates get the standard library
   * only, and Python starts several times faster (some installs import heavy modules from .pth files).
   */
  site: z.boolean().default(false),
  /** Python interpreter (spawned directly, no shell). */
  python: z.string().min(1).default("python3"),
  /**
   * `auto` and `bwrap`: bubblewrap (a read-only minimal filesystem view, a private size-limited tmpfs, no
   * network, own pid namespace); when it is missing or cannot create its namespaces, the run is refused with a
   * `MissingDependencyError` unless `unsafeAllowUnsandboxedCode` is set (`auto` then runs without it,
   * `bwrap` still refuses). `none`: no OS sandbox (rlimits, uid drop and audit hook only); needs
   * `unsafeAllowUnsandboxedCode`.
   */
  isolation: z.enum(["auto", "bwrap", "none"]).default("auto"),
  /**
   * Run model-written code without an OS sandbox when bubblewrap is unavailable (or `isolation: "none"`). The code
   * can then read whatever its uid may read, use the network and write outside its temp dir (the audit hook is
   * not a security boundary). Default false: such runs are refused.
   */
  unsafeAllowUnsandboxedCode: z.boolean().default(false),
  /**
   * When the parent runs as root, run the code as this uid/gid (default 65534, `nobody`), so that
   * RLIMIT_NPROC applies (root is exempt) and root-owned files are not writable. `null`: keep root.
   */
  dropToUid: z.number().int().nonnegative().nullable().default(65534),
  /**
   * Cancels the run: the process group (or bwrap sandbox) is killed, the temp dir removed, and the run
   * rejects with the signal's reason; a run still queued in a {@link SandboxPool} is dropped from the queue.
   */
  signal: z
    .custom<AbortSignal>((value) => value instanceof AbortSignal, { message: "expected an AbortSignal" })
    .optional(),
});

/** Options of {@link runPython} (input form: every field optional). */
export type SandboxOptions = z.input<typeof sandboxOptionsSchema>;

/** Options of {@link runPython} after defaults. */
export type ResolvedSandboxOptions = z.output<typeof sandboxOptionsSchema>;

/** How a sandboxed run was isolated. */
export type IsolationKind = "bwrap" | "none";

/** What happened to one sandboxed run. */
export interface SandboxResult {
  /** The code ran to its end: no exception, no `sys.exit`, not killed. */
  completed: boolean;
  /** Process exit code (`null` when killed by a signal). */
  exitCode: number | null;
  /** Signal that ended the process, if any (SIGKILL on timeout, SIGXCPU on CPU limit). */
  signal: NodeJS.Signals | null;
  /** Killed for exceeding `wallTimeMs`. */
  timedOut: boolean;
  /** Killed by the CPU-time limit (SIGXCPU/SIGKILL from RLIMIT_CPU). */
  cpuLimitExceeded: boolean;
  /** Raised MemoryError (hit `memoryBytes`). */
  memoryError: boolean;
  /** Killed for writing more than `maxOutputBytes` to stdout or stderr. */
  outputLimitExceeded: boolean;
  /** Captured stdout (capped). */
  stdout: string;
  /** Captured stderr (capped). */
  stderr: string;
  /** Wall time in ms. */
  wallMs: number;
  /** Namespace isolation used. */
  isolation: IsolationKind;
  /** uid the code ran as (`null`: the parent's). */
  uid: number | null;
}
