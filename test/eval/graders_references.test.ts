import { describe, expect, it } from "vitest";
import { gradeHumanEval, gradeMbpp } from "../../src/eval/graders/index.js";
import { SandboxPool } from "../../src/sandbox/index.js";
import { loadHumanEval, loadMbpp } from "../../src/eval/benchmarks/index.js";

// Every reference solution through the real sandbox (about 200 programs): the slowest grader test, kept out of the
// graders mutation scope (stryker/scopes.json), whose mutants run against graders_logic.test.ts (exact programs,
// limits and verdicts) and the few sandboxed cases of graders_sandbox.test.ts.
describe("code graders on every reference solution (sandboxed execution)", () => {
  const mbpp = loadMbpp();

  it("every HumanEval canonical solution passes and the first 50 MBPP reference solutions pass", async () => {
    const pool = new SandboxPool();
    const he = loadHumanEval();
    const verdicts = await Promise.all(he.map((h) => gradeHumanEval(h.canonicalSolution, h.prompt, h.gold, { pool })));
    expect(verdicts.filter((v) => !v.correct).map((v, i) => `${he[i].id}: ${v.reason}`)).toEqual([]);
    const tasks = mbpp.slice(0, 50);
    const mv = await Promise.all(tasks.map((t) => gradeMbpp(`\`\`\`python\n${t.code}\n\`\`\``, t.gold, { pool })));
    expect(mv.every((v) => v.correct)).toBe(true);
  });
});
