import { existsSync } from "node:fs";
import { join } from "node:path";
import { calledFunctionNames, extractPythonCode } from "../src/answers/code_extract.js";
import type { MbppGold } from "../src/eval/benchmarks/mbpp.js";
import { dataDir } from "../src/eval/index.js";
import { gradeMbpp, mbppProgram } from "../src/eval/graders/code.js";
import { RecordedOutputs } from "../src/replay/index.js";
import { SandboxPool } from "../src/sandbox/index.js";
import { figure, median, now } from "./stats.js";
import type { BenchFigure, BenchSuite } from "./types.js";

/** Options of the code grading suite. */
export interface CodeGradingBenchOptions {
  /** Measured rounds. Default 3. */
  readonly rounds?: number;
  /** Recorded MBPP lines graded per round. Default 60. */
  readonly lines?: number;
}

/**
 * The old in-process grading, kept here only as the bench's baseline: the candidate's program and the asserts in one
 * interpreter (what issue #22 showed forgeable), run by `runPython` in the same sandbox.
 */
function inProcessProgram(output: string, gold: MbppGold): string {
  const code = extractPythonCode(output, calledFunctionNames(gold.test_list));
  return `${mbppProgram(code, gold)}\n${gold.test_list.join("\n")}\n`;
}

/**
 * Builds the code grading suite: wall time per recorded MBPP line of the judged grader (`gradeMbpp`: a judge and a
 * worker interpreter in one bubblewrap sandbox), lines graded `pool.concurrency` at a time, as a multiple of the
 * same lines run the old way (candidate and asserts in one interpreter, same sandbox, same pool) in the same round.
 */
export function createCodeGradingSuite(options: CodeGradingBenchOptions = {}): BenchSuite {
  const rounds = options.rounds ?? 3;
  const count = options.lines ?? 60;
  return async (): Promise<BenchFigure[]> => {
    const file = join(dataDir(), "recorded", "mbpp.jsonl");
    if (!existsSync(file)) return [];
    const lines = RecordedOutputs.load(file)
      .lines.filter((l) => l.gold && typeof l.gold === "object")
      .slice(0, count);
    const pool = new SandboxPool();
    await gradeMbpp(lines[0].output, lines[0].gold as MbppGold, { pool });
    const values: number[] = [];
    const baselines: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = now();
      await Promise.all(lines.map((l) => gradeMbpp(l.output, l.gold as MbppGold, { pool })));
      values.push((now() - t0) / lines.length);
      const t1 = now();
      await Promise.all(lines.map((l) => pool.run(inProcessProgram(l.output, l.gold as MbppGold), { cpuTimeSec: 20 })));
      baselines.push((now() - t1) / lines.length);
    }
    return [
      figure({
        section: "Code behaviour",
        name: "MBPP grading per recorded line (judge + worker) vs candidate and asserts in one interpreter",
        unit: "ms/line",
        values,
        baselines,
        note:
          `wall time of gradeMbpp on the first ${lines.length} lines of recorded/mbpp.jsonl, ${pool.concurrency} at once, bubblewrap; ` +
          `baseline = the same programs with their asserts run in one interpreter (the forgeable pre-#22 design) in the same round; ` +
          `${rounds} rounds; median ${median(values).toFixed(1)} ms/line vs ${median(baselines).toFixed(1)} ms/line`,
      }),
    ];
  };
}

/** The code grading suite with its default settings. */
export const codeGradingSuite: BenchSuite = createCodeGradingSuite();
