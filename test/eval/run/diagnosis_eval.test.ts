import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli/capture.js";
import { dataDir } from "../../../src/eval/index.js";
import { tempDirs } from "../../helpers/temp_dirs.js";
import { readTraces } from "../eval_cli.js";

const tmp = tempDirs("pyramid-diagnosis-");

interface Trace {
  candidates: { model: string; answer: string | null; correct: boolean }[];
  crowdCorrect: boolean;
  oracleCorrect: boolean;
}

async function evaluate(args: string[]): Promise<{ stdout: string; traces: Trace[]; markdown: string }> {
  const out = tmp();
  const run = await runCli(["eval", ...args, "--out", out, "--no-png"]);
  expect(run.code).toBe(0);
  const traces = readTraces<Trace>(out);
  return { stdout: run.stdout, traces, markdown: readFileSync(join(out, "diagnosis.md"), "utf8") };
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const unanimous = (t: Trace) =>
  t.candidates[0].answer !== null && t.candidates.every((c) => c.answer === t.candidates[0].answer);

describe("eval prints the workload diagnosis", () => {
  it("GSM8K (first 150 recorded items, agreement router): the pyramid pays, keep it", async () => {
    const recorded = join(dataDir(), "recorded", "gsm8k.jsonl");
    const { stdout, traces, markdown } = await evaluate([
      "--benchmark",
      "gsm8k",
      "--recorded",
      recorded,
      "--limit",
      "150",
    ]);
    expect(stdout).toMatch(/Workload diagnosis: keep the pyramid\./);
    expect(stdout).toMatch(/Oracle accuracy[^\n]* reached: yes, best saving \d+\.\d% at threshold/);
    expect(markdown).toMatch(/\*\*Recommendation: keep the pyramid\.\*\*/);
    // The figures, recomputed here from the graded traces.
    const oracle = traces.filter((t) => t.oracleCorrect).length / traces.length;
    const agree = traces.filter(unanimous);
    expect(stdout).toContain(`Oracle ${pct(oracle)}`);
    expect(stdout).toContain(`unanimous on ${pct(agree.length / traces.length)} of queries`);
    expect(stdout).toContain(`right there ${pct(agree.filter((t) => t.crowdCorrect).length / agree.length)}`);
    for (const [index, model] of ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"].entries()) {
      const accuracy = traces.filter((t) => t.candidates[index].correct).length / traces.length;
      expect(stdout).toContain(`${model} ${pct(accuracy)} (`);
    }
  });

  it("MATH level 5 (same crowd and Oracle): no threshold reaches the Oracle, send it to the Oracle, and say why", async () => {
    const { stdout, traces } = await evaluate(["--benchmark", "math"]);
    expect(traces.length).toBe(219);
    expect(stdout).toMatch(/Workload diagnosis: send this workload to the Oracle\./);
    expect(stdout).toMatch(/Oracle accuracy[^\n]* reached: no threshold does with a saving/);
    const agree = traces.filter(unanimous);
    expect(agree.length / traces.length).toBeLessThan(0.1);
    expect(stdout).toContain(`the crowd is unanimous on only ${pct(agree.length / traces.length)} of the queries`);
    expect(stdout).toMatch(/a perfect router would save \d+\.\d%/);
  });
});
