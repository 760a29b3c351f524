export {
  sandboxOptionsSchema,
  type SandboxOptions,
  type ResolvedSandboxOptions,
  type SandboxResult,
  type IsolationKind,
} from "./options.js";
export { PYTHON_PRELUDE } from "./prelude.js";
export { runPython, sandboxEnv } from "./run_python.js";
export { runJudged, type JudgedJob, type JudgedResult } from "./run_judged.js";
export { SandboxPool } from "./pool.js";
export {
  findExecutable,
  workingBwrap,
  probeBwrap,
  resetBwrapProbe,
  bwrapArgs,
  readOnlyView,
  SANDBOX_WORKDIR,
  BWRAP_FIX,
} from "./isolation.js";
export { sweepStaleSandboxDirs, SANDBOX_DIR_PREFIX, STALE_SANDBOX_DIR_MS } from "./sweep.js";
