import { runPython } from "../../sandbox/run_python.js";
import type { SandboxPool } from "../../sandbox/pool.js";
import type { SandboxOptions, SandboxResult } from "../../sandbox/options.js";
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
  /** The program that was run. */
  program: string;
  /** The sandbox's report. */
  run: SandboxResult;
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

/**
 * Python that runs `tests` one by one, each under a CPU-time alarm (ITIMER_PROF, so a loaded machine
 * does not fail slow-but-correct code; sleeping code is caught by the sandbox's wall-time limit),
 * reporting the failing one.
 */
function testHarness(tests: readonly string[], perTestTimeSec: number): string {
  return [
    "",
    "import signal as __pyramid_signal, sys as __pyramid_sys",
    "def __pyramid_alarm(*_):",
    "    raise TimeoutError('test time limit exceeded')",
    "__pyramid_signal.signal(__pyramid_signal.SIGPROF, __pyramid_alarm)",
    `for __pyramid_i, __pyramid_t in enumerate(${JSON.stringify(tests)}):`,
    `    __pyramid_signal.setitimer(__pyramid_signal.ITIMER_PROF, ${perTestTimeSec})`,
    "    try:",
    "        exec(compile(__pyramid_t, '<test %d>' % __pyramid_i, 'exec'), globals())",
    "    except BaseException:",
    "        __pyramid_sys.stderr.write('PYRAMID_FAILED_TEST %d\\n' % __pyramid_i)",
    "        raise",
    "    finally:",
    "        __pyramid_signal.setitimer(__pyramid_signal.ITIMER_PROF, 0)",
    "",
  ].join("\n");
}

function verdict(run: SandboxResult): string | null {
  if (run.completed) return null;
  if (run.timedOut) return "timeout";
  if (run.cpuLimitExceeded) return "cpu-limit";
  if (run.outputLimitExceeded) return "output-limit";
  if (run.memoryError) return "memory";
  const failed = /PYRAMID_FAILED_TEST (\d+)/.exec(run.stderr);
  if (failed) {
    if (/TimeoutError: test time limit exceeded/.test(run.stderr)) return `test ${failed[1]} timed out`;
    return `failed test ${failed[1]}`;
  }
  if (/SyntaxError|IndentationError/.test(run.stderr)) return "syntax";
  if (run.exitCode === 0) return "exited early";
  const last = run.stderr.trim().split("\n").pop() ?? "";
  return `error: ${last.slice(0, 120)}`;
}

async function execute(program: string, tests: number, options: CodeGradeOptions): Promise<CodeGradeResult> {
  const perTest = options.perTestTimeSec ?? 5;
  const sandbox: SandboxOptions = {
    wallTimeMs: Math.round((3 * perTest * (tests + 1) + 10) * 1000),
    cpuTimeSec: Math.ceil(perTest * (tests + 1)),
    ...options.sandbox,
  };
  const run = options.pool ? await options.pool.run(program, sandbox) : await runPython(program, sandbox);
  const reason = verdict(run);
  return { correct: reason === null, reason, program, run };
}

/**
 * The program an MBPP grading runs: test imports, the candidate's code, the name aliasing (unless
 * `strictNames`), then the asserts one by one.
 */
export function mbppProgram(code: string, gold: MbppGold, perTestTimeSec = 5, strictNames = false): string {
  const alias = strictNames ? "" : aliasHarness(calledFunctionNames(gold.test_list));
  return [...gold.test_imports, code, alias, testHarness(gold.test_list, perTestTimeSec)].join("\n");
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
  const program = mbppProgram(code, gold, options.perTestTimeSec ?? 5, options.strictNames ?? false);
  return execute(program, gold.test_list.length, options);
}

/**
 * The program a HumanEval grading runs. When the output defines the entry point, it is the prompt's
 * imports plus the output's code; otherwise the output is a completion of the prompt's function
 * body and is appended to the prompt. Then the task's `check` is called on the entry point.
 */
export function humanEvalProgram(output: string, prompt: string, gold: HumanEvalGold): string {
  const code = extractPythonCode(output, [gold.entry_point]);
  const defines = new RegExp(`^\\s*def\\s+${gold.entry_point}\\s*\\(`, "m").test(code);
  const promptImports = prompt.split("\n").filter((l) => /^(?:import\s|from\s+\S+\s+import\s)/.test(l));
  const body = defines ? `${promptImports.join("\n")}\n${code}` : `${prompt}${code}`;
  return `${body}\n\n${gold.test}\n\ncheck(${gold.entry_point})\n`;
}

/** Grades a HumanEval output by running the task's `check(candidate)` in the sandbox. */
export async function gradeHumanEval(
  output: string,
  prompt: string,
  gold: HumanEvalGold,
  options: CodeGradeOptions = {},
): Promise<CodeGradeResult> {
  return execute(humanEvalProgram(output, prompt, gold), 10, options);
}
