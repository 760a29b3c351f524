import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli/capture.js";
import { gradeMath, loadHumanEval } from "../../../src/eval/index.js";
import { RecordedOutputs } from "../../../src/replay/index.js";
import { tempDirs } from "../../helpers/temp_dirs.js";
import { readTraces, runEval } from "../eval_cli.js";

const ROOT = new URL("../../../", import.meta.url).pathname;
const MATH_FILE = join(ROOT, "../shared/data/recorded/math-l5.jsonl");
const GSM8K_ROUTER = join(ROOT, "routers/gsm8k-llama8b-gemma9b-qwen7b.json");
const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const ORACLE = "Meta-Llama-3.1-70B-Instruct";

const tmp = tempDirs("pyramid-anybench-");

interface Trace {
  id: string;
  benchmark: string;
  candidates: { model: string; answer: string | null; correct?: boolean }[];
  oracleCorrect?: boolean;
  crowdCorrect: boolean;
  pFail: number;
  featureNames: string[];
}

/** A small recorded file of the shared schema: `items` questions answered by `models`, with the given fields. */
function recordedFile(dir: string, lines: Record<string, unknown>[]): string {
  const file = join(dir, "recorded.jsonl");
  writeFileSync(file, `${lines.map((line) => JSON.stringify(line)).join("\n")}\n`);
  return file;
}

describe("pyramid-moa eval --benchmark math: the GSM8K router zero-shot on MATH level 5", () => {
  it("grades with the MATH answer key and routes with the GSM8K router, trained on no MATH item", async () => {
    const out = tmp();
    const run = await runEval({
      benchmark: "math",
      recorded: MATH_FILE,
      router: GSM8K_ROUTER,
      out,
      "no-png": true,
      limit: "40",
    });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/math all items: 40 queries/);
    expect(run.stdout).toMatch(/preset baseline-match/);
    const store = RecordedOutputs.load(MATH_FILE);
    const all = readTraces<Trace>(out);
    expect(all).toHaveLength(40);
    const router = JSON.parse(readFileSync(GSM8K_ROUTER, "utf8")) as { featureNames: string[] };
    for (const trace of all) {
      expect(trace.benchmark).toBe("math");
      expect(trace.candidates.map((c) => c.model)).toEqual(CROWD);
      expect(trace.featureNames).toEqual(router.featureNames);
      expect(trace.pFail).toBeGreaterThanOrEqual(0);
      const line = (model: string) => store.lines.find((l) => l.id === trace.id && l.model === model)!;
      for (const c of trace.candidates)
        expect(c.correct).toBe(gradeMath(line(c.model).output, String(line(c.model).gold)).correct);
      expect(trace.oracleCorrect).toBe(gradeMath(line(ORACLE).output, String(line(ORACLE).gold)).correct);
    }
    // LaTeX answers are keyed by value: no candidate key keeps a \frac or a \boxed.
    expect(all.flatMap((t) => t.candidates.map((c) => c.answer ?? "")).filter((a) => /\\frac|\\boxed/.test(a))).toEqual(
      [],
    );
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      queries: number;
      presets: { name: string }[];
    };
    expect(summary.queries).toBe(40);
    expect(summary.presets.map((p) => p.name).sort()).toEqual([
      "balanced",
      "balanced-guaranteed",
      "baseline-match",
      "baseline-match-guaranteed",
      "economy",
      "economy-guaranteed",
    ]);
  });
});

describe("pyramid-moa eval --benchmark custom", () => {
  const models = ["small-a", "small-b", "big"];
  const lines = Array.from({ length: 6 }, (_, i) =>
    models.map((model, m) => ({
      benchmark: "custom",
      id: `custom/${i}`,
      model,
      messages: [{ role: "user", content: `question ${i}` }],
      output: `answer ${(i + m) % 2}`,
      gold: "answer 0",
      reference: { correct: (i + m) % 3 === 0 },
    })),
  ).flat();

  it("--grader reference uses each line's reference.correct", async () => {
    const dir = tmp();
    const file = recordedFile(dir, lines);
    const out = join(dir, "out");
    const run = await runEval({
      benchmark: "custom",
      recorded: file,
      crowd: "small-a,small-b",
      oracle: "big",
      grader: "reference",
      out,
      "no-png": true,
    });
    expect(run.code).toBe(0);
    for (const trace of readTraces<Trace>(out)) {
      const i = Number(trace.id.split("/")[1]);
      expect(trace.candidates.map((c) => c.correct)).toEqual([i % 3 === 0, (i + 1) % 3 === 0]);
      expect(trace.oracleCorrect).toBe((i + 2) % 3 === 0);
    }
  });

  it("--grader <module> grades with the module's grade()", async () => {
    const dir = tmp();
    const file = recordedFile(dir, lines);
    const grader = join(dir, "grader.mjs");
    writeFileSync(grader, "export function grade({ output, gold }) { return { correct: output.trim() === gold }; }\n");
    const out = join(dir, "out");
    const run = await runEval({
      benchmark: "custom",
      recorded: file,
      crowd: "small-a,small-b",
      oracle: "big",
      grader,
      out,
      "no-png": true,
    });
    expect(run.code).toBe(0);
    for (const trace of readTraces<Trace>(out)) {
      const i = Number(trace.id.split("/")[1]);
      expect(trace.candidates.map((c) => c.correct)).toEqual([i % 2 === 0, (i + 1) % 2 === 0]);
      expect(trace.oracleCorrect).toBe(i % 2 === 0);
    }
  });

  it("fails with errors naming the flag and the fix", async () => {
    const dir = tmp();
    const file = recordedFile(dir, lines);
    const base = ["eval", "--recorded", file, "--out", join(dir, "o1"), "--no-png"];
    const noGrader = await runCli([...base, "--benchmark", "custom", "--crowd", "small-a", "--oracle", "big"]);
    expect(noGrader.code).toBe(1);
    expect(noGrader.stderr).toMatch(/custom has no built-in grader/);
    const unknown = await runCli([...base, "--benchmark", "gsm9k"]);
    expect(unknown.stderr).toMatch(/unknown benchmark "gsm9k"/);
    const noCrowd = await runCli([...base, "--benchmark", "mmlu"]);
    expect(noCrowd.stderr).toMatch(/no default crowd and Oracle/);
    const badTask = await runCli([...base, "--benchmark", "custom", "--task", "poetry"]);
    expect(badTask.stderr).toMatch(/unknown task "poetry"/);
    const noExport = join(dir, "nothing.mjs");
    writeFileSync(noExport, "export const other = 1;\n");
    const missing = await runEval({
      recorded: file,
      out: join(dir, "o2"),
      "no-png": true,
      benchmark: "custom",
      crowd: "small-a",
      oracle: "big",
      grader: noExport,
    });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/grade/);
    const notAFile = await runEval({
      recorded: file,
      out: join(dir, "o3"),
      "no-png": true,
      benchmark: "custom",
      crowd: "small-a",
      oracle: "big",
      grader: join(dir, "nope.mjs"),
    });
    expect(notAFile.stderr).toMatch(/grader module not found/);
    const badVerdict = join(dir, "bad.mjs");
    writeFileSync(badVerdict, 'export const grade = () => "yes";\n');
    const bad = await runEval({
      recorded: file,
      out: join(dir, "o4"),
      "no-png": true,
      benchmark: "custom",
      crowd: "small-a",
      oracle: "big",
      grader: badVerdict,
    });
    expect(bad.stderr).toMatch(/returned neither a boolean nor \{ correct: boolean \}/);
  });
});

describe("pyramid-moa eval --benchmark mmlu and humaneval on recorded files of the shared schema", () => {
  it("mmlu: votes on letters and grades them against a letter or an index gold", async () => {
    const dir = tmp();
    const outputs: Record<string, string[]> = {
      m1: ["B", "The answer is (C)"],
      m2: ['{"answer": "B"}', "A"],
      big: ["Answer: B", "C"],
    };
    const golds = ["B", 2];
    const file = recordedFile(
      dir,
      [0, 1].flatMap((i) =>
        Object.keys(outputs).map((model) => ({
          benchmark: "mmlu",
          id: `mmlu/${i}`,
          model,
          messages: [{ role: "user", content: `q${i}` }],
          output: outputs[model][i],
          gold: golds[i],
        })),
      ),
    );
    const out = join(dir, "out");
    const run = await runEval({
      benchmark: "mmlu",
      recorded: file,
      crowd: "m1,m2",
      oracle: "big",
      out,
      "no-png": true,
    });
    expect(run.code).toBe(0);
    const [first, second] = readTraces<Trace>(out);
    expect(first.candidates.map((c) => [c.answer, c.correct])).toEqual([
      ["B", true],
      ["B", true],
    ]);
    expect(second.candidates.map((c) => [c.answer, c.correct])).toEqual([
      ["C", true],
      ["A", false],
    ]);
    expect(second.oracleCorrect).toBe(true);
  });

  it("humaneval: runs each candidate against the gold check() in the sandbox", async () => {
    const dir = tmp();
    const tasks = loadHumanEval().slice(0, 2);
    const wrong = (entry: string) => `\`\`\`python\ndef ${entry}(*args, **kwargs):\n    return None\n\`\`\``;
    const file = recordedFile(
      dir,
      tasks.flatMap((task) =>
        ["good", "bad", "big"].map((model) => ({
          benchmark: "humaneval",
          id: task.id,
          model,
          question: task.prompt,
          messages: [{ role: "user", content: task.prompt }],
          output:
            model === "bad"
              ? wrong(task.gold.entry_point)
              : `\`\`\`python\n${task.prompt}${task.canonicalSolution}\`\`\``,
          gold: { test: task.gold.test, entry_point: task.gold.entry_point },
        })),
      ),
    );
    const out = join(dir, "out");
    const run = await runEval({
      benchmark: "humaneval",
      recorded: file,
      crowd: "good,bad",
      oracle: "big",
      out,
      "no-png": true,
    });
    expect(run.code).toBe(0);
    for (const trace of readTraces<Trace>(out)) {
      expect(trace.candidates.map((c) => c.correct)).toEqual([true, false]);
      expect(trace.oracleCorrect).toBe(true);
    }
  }, 60_000);
});
