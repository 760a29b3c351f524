import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mbppAgreement } from "../../src/eval/graders/agreement.js";
import { gradeHumanEval, gradeMbpp } from "../../src/eval/graders/index.js";
import { loadHumanEval, loadMbpp } from "../../src/eval/benchmarks/index.js";

// The code graders run candidates in the bwrap sandbox (slow); the pure-logic graders are in graders.test.ts.
describe("code graders (sandboxed execution)", () => {
  const mbpp = loadMbpp();
  const task = mbpp.find((t) => t.taskId === 2)!;

  it("MBPP: the reference solution passes, a wrong one fails with the failing test", async () => {
    const good = await gradeMbpp(`\`\`\`python\n${task.code}\n\`\`\``, task.gold);
    expect(good.correct).toBe(true);
    const bad = await gradeMbpp("```python\ndef similar_elements(a, b):\n    return ()\n```", task.gold);
    expect(bad.correct).toBe(false);
    expect(bad.reason).toBe("failed test 0");
    const renamed = await gradeMbpp(
      `\`\`\`python\n${task.code.replace("similar_elements", "shared")}\n\`\`\``,
      task.gold,
    );
    expect(renamed.correct).toBe(true);
    const strict = await gradeMbpp(
      `\`\`\`python\n${task.code.replace("similar_elements", "shared")}\n\`\`\``,
      task.gold,
      { strictNames: true },
    );
    expect(strict.correct).toBe(false);
    const early = await gradeMbpp(
      "```python\nimport sys\ndef similar_elements(a, b):\n    return 1\nsys.exit(0)\n```",
      task.gold,
    );
    expect(early.correct).toBe(false);
    const loop = await gradeMbpp(
      "```python\ndef similar_elements(a, b):\n    while True:\n        pass\n```",
      task.gold,
      { perTestTimeSec: 1 },
    );
    expect(loop.correct).toBe(false);
    expect(loop.reason).toMatch(/timed out|cpu-limit|timeout/);
  });

  it("HumanEval: the canonical solution passes, a wrong body fails", async () => {
    const he = loadHumanEval()[0];
    const good = await gradeHumanEval(he.canonicalSolution, he.prompt, he.gold);
    expect(good.correct).toBe(true);
    const full = await gradeHumanEval(`\`\`\`python\n${he.prompt}${he.canonicalSolution}\`\`\``, he.prompt, he.gold);
    expect(full.correct).toBe(true);
    const bad = await gradeHumanEval("    return False\n", he.prompt, he.gold);
    expect(bad.correct).toBe(false);
  });

  it("MBPP agreement: grades each recorded line in the sandbox and lists the verdicts that differ from upstream", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pyramid-mbpp-agreement-"));
    const file = join(dir, "mbpp.jsonl");
    const line = (id: string, output: string, correct?: boolean): string =>
      JSON.stringify({
        benchmark: "mbpp",
        id,
        model: "m1",
        messages: [{ role: "user", content: "task" }],
        output,
        gold: task.gold,
        ...(correct === undefined ? {} : { reference: { correct } }),
      });
    writeFileSync(
      file,
      [
        line("good", `\`\`\`python\n${task.code}\n\`\`\``, true),
        line("bad", "```python\ndef similar_elements(a, b):\n    return ()\n```", true),
        line("unjudged", "```python\ndef similar_elements(a, b):\n    return ()\n```"),
      ].join("\n"),
    );
    const progress: [number, number][] = [];
    const result = await mbppAgreement(file, {
      concurrency: 2,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(result).toEqual({
      lines: 2,
      agree: 1,
      rate: 0.5,
      disagreements: [{ id: "bad", model: "m1", ours: false, reference: true, detail: "failed test 0" }],
    });
    expect(progress.map(([done]) => done).sort()).toEqual([1, 2]);
    expect(progress.every(([, total]) => total === 2)).toBe(true);
  });
});
