import { runJudged, type JudgedJob, type JudgedResult } from "../../sandbox/run_judged.js";
import type { SandboxPool } from "../../sandbox/pool.js";
import type { SandboxOptions } from "../../sandbox/options.js";
import type { MbppGold } from "../benchmarks/mbpp.js";
import type { HumanEvalGold } from "../benchmarks/humaneval.js";
import { calledFunctionNames, extractPythonCode } from "../../answers/code_extract.js";

/** Options of the code graders. */
export interface CodeGradeOptions {
  /** Run through this pool (concurrency limit); default: run directly. */
  pool?: SandboxPool;
  /**
   * Sandbox limits; by default CPU time `perTestTimeSec * (tests + 1)` s and wall time three times
   * that plus 10 s (generous, so that machine load does not fail correct code).
   */
  sandbox?: SandboxOptions;
  /** CPU-time limit per test, in seconds (ITIMER_PROF inside the sandbox; default 5). */
  perTestTimeSec?: number;
  /**
   * MBPP: require the function name the tests call (default `false`: a candidate whose main
   * function has another name is bound to the tested name, since the prompts never give it).
   */
  strictNames?: boolean;
}

/** The verdict of a code grader. */
export interface CodeGradeResult {
  /** Every test passed and the program ran to its end. */
  correct: boolean;
  /** Short reason when not correct: `syntax`, `failed test 2`, `timeout`, `memory`, ... */
  reason: string | null;
  /** The candidate's program that was run (the tests ran apart, in the judge). */
  program: string;
  /** The judge's report (the verdict comes from a process the candidate's code cannot reach). */
  run: JudgedResult;
}

/**
 * Python that binds each name the tests call but the code does not define to the candidate's main
 * function (a top-level function of candidate.py that no other of its functions calls; the last
 * one defined). The recorded MBPP prompts give only the task text, never the function name the
 * tests use, so a correct solution under another name is not counted wrong for its name.
 */
function aliasHarness(names: readonly string[]): string {
  return [
    "",
    `for __pyramid_name in ${JSON.stringify(names)}:`,
    "    if __pyramid_name in globals():",
    "        continue",
    "    __pyramid_fns = [v for k, v in list(globals().items()) if not k.startswith('__pyramid') and callable(v)",
    "                     and getattr(getattr(v, '__code__', None), 'co_filename', None) == 'candidate.py']",
    "    __pyramid_used = set()",
    "    for __pyramid_f in __pyramid_fns:",
    "        __pyramid_used.update(__pyramid_f.__code__.co_names)",
    "    __pyramid_roots = [f for f in __pyramid_fns if f.__name__ not in __pyramid_used] or __pyramid_fns",
    "    if __pyramid_roots:",
    "        globals()[__pyramid_name] = __pyramid_roots[-1]",
    "",
  ].join("\n");
}

/** The grader's short reason for a judged run that did not pass. */
function verdict(run: JudgedResult): string | null {
  if (run.passed) return null;
  const reason = run.reason ?? "no verdict";
  const at = run.test === null ? "" : ` ${run.test}`;
  if (reason === "assert") return `failed test${at}`;
  if (reason === "timeout") return `test${at} timed out`;
  if (reason === "wall-timeout") return "timeout";
  if (reason === "worker:-24" || reason === "worker:-9") return "cpu-limit";
  if (reason === "error:MemoryError") return "memory";
  if (run.test === null && /^error:(SyntaxError|IndentationError|TabError)$/.test(reason)) return "syntax";
  if (reason.startsWith("error:")) return run.test === null ? `error: ${reason.slice(6)}` : `failed test${at}`;
  return reason;
}

async function execute(
  job: Omit<JudgedJob, "perTestSec">,
  tests: number,
  options: CodeGradeOptions,
): Promise<CodeGradeResult> {
  const perTest = options.perTestTimeSec ?? 5;
  const sandbox: SandboxOptions = {
    wallTimeMs: Math.round((3 * perTest * (tests + 1) + 10) * 1000),
    cpuTimeSec: Math.ceil(perTest * (tests + 1)),
    ...options.sandbox,
  };
  const full = { ...job, perTestSec: perTest };
  const run = options.pool ? await options.pool.judge(full, sandbox) : await runJudged(full, sandbox);
  const reason = verdict(run);
  return { correct: reason === null, reason, program: job.program, run };
}

/**
 * The candidate side of an MBPP grading: the test imports, the candidate's code and the name aliasing (unless
 * `strictNames`). The asserts run apart, in the judge ({@link runJudged}).
 */
export function mbppProgram(code: string, gold: MbppGold, strictNames = false): string {
  const alias = strictNames ? "" : aliasHarness(calledFunctionNames(gold.test_list));
  return [...gold.test_imports, code, alias].join("\n");
}

/**
 * Grades an MBPP output by running its code against the task's asserts in the sandbox
 * ({@link extractPythonCode} picks the block defining the function the tests call).
 */
export async function gradeMbpp(
  output: string,
  gold: MbppGold,
  options: CodeGradeOptions = {},
): Promise<CodeGradeResult> {
  const code = extractPythonCode(output, calledFunctionNames(gold.test_list));
  const program = mbppProgram(code, gold, options.strictNames ?? false);
  return execute({ setup: gold.test_imports, program, tests: gold.test_list }, gold.test_list.length, options);
}

/**
 * The candidate side of a HumanEval grading. When the output defines the entry point, it is the prompt's imports
 * plus the output's code; otherwise the output is a completion of the prompt's function body and is appended to
 * the prompt. The task's `check` is called on the entry point apart, in the judge ({@link humanEvalTests}).
 */
export function humanEvalProgram(output: string, prompt: string, gold: HumanEvalGold): string {
  const code = extractPythonCode(output, [gold.entry_point]);
  const defines = new RegExp(`^\\s*def\\s+${gold.entry_point}\\s*\\(`, "m").test(code);
  const promptImports = prompt.split("\n").filter((l) => /^(?:import\s|from\s+\S+\s+import\s)/.test(l));
  const body = defines ? `${promptImports.join("\n")}\n${code}` : `${prompt}${code}`;
  return `${body}\n`;
}

/** The trusted side of a HumanEval grading: the task's test code, then `check(entry_point)`. */
export function humanEvalTests(gold: HumanEvalGold): string[] {
  return [`${gold.test}\n\ncheck(${gold.entry_point})\n`];
}

/** Grades a HumanEval output by running the task's `check(candidate)` in the sandbox. */
export async function gradeHumanEval(
  output: string,
  prompt: string,
  gold: HumanEvalGold,
  options: CodeGradeOptions = {},
): Promise<CodeGradeResult> {
  const program = humanEvalProgram(output, prompt, gold);
  // Ten tests' worth of time for check(), which calls the candidate many times.
  return execute({ setup: [], program, tests: humanEvalTests(gold) }, 10, options);
}
