import { describe, expect, it } from "vitest";
import {
  calledFunctionNames,
  canonicalNumber,
  extractGsm8kAnswer,
  extractMmluLetter,
  firstNumber,
  firstNumberOrFraction,
  gradeGsm8k,
  gradeHumanEval,
  gradeMath,
  gradeMbpp,
  gradeMmlu,
  humanEvalProgram,
  humanEvalTests,
  jsonAnswerField,
  lastNumber,
  mbppProgram,
  normalizeGradedNumber,
  sameNumber,
} from "../../src/eval/graders/index.js";
import { gsm8kAgreement } from "../../src/eval/graders/agreement.js";
import type { JudgedResult } from "../../src/sandbox/run_judged.js";
import { fakePool, recordedGsm8k } from "./graders_fixtures.js";

// The graders' parsing and normalising logic, exactly, with no sandbox (graders_sandbox.test.ts runs real code).

describe("graded numbers", () => {
  it("normalizes a number as written: currency, thousands separators, trailing zeros, 10 decimals", () => {
    expect(normalizeGradedNumber("$57,500.00")).toBe("57500");
    expect(normalizeGradedNumber("about 12.50 dollars")).toBe("12.5");
    expect(normalizeGradedNumber("no number")).toBeNull();
    expect(normalizeGradedNumber("9".repeat(400))).toBeNull();
    expect(canonicalNumber(1 / 3)).toBe("0.3333333333");
    expect(canonicalNumber(-0)).toBe("0");
    expect(canonicalNumber(42)).toBe("42");
  });

  it("reads the first number: commas dropped, currency and a Unicode minus read, a detached minus kept", () => {
    expect(firstNumber("- 5 apples")).toBe("-5");
    expect(firstNumber("€1,2 then 7")).toBe("12");
    expect(firstNumber("£12,3456")).toBe("123456");
    expect(firstNumber("\u22128")).toBe("-8");
    expect(firstNumber("-$8")).toBe("-8");
    expect(firstNumber("¥.5")).toBe(".5");
    expect(firstNumber("x 3.25 y")).toBe("3.25");
    expect(firstNumber("none")).toBeNull();
  });

  it("reads a fraction only where the first number starts it", () => {
    expect(firstNumberOrFraction("2/3")).toBeCloseTo(2 / 3, 15);
    expect(firstNumberOrFraction("3 / 4 cup")).toBe(0.75);
    expect(firstNumberOrFraction("1.5/2")).toBe(0.75);
    expect(firstNumberOrFraction("$-6/4")).toBe(-1.5);
    expect(firstNumberOrFraction("5 and 3/4")).toBe(5);
    // A zero denominator is no fraction: the first number stands.
    expect(firstNumberOrFraction("7/0")).toBe(7);
    expect(firstNumberOrFraction("1,000 apples")).toBe(1000);
    expect(firstNumberOrFraction("nothing")).toBeNull();
    expect(firstNumberOrFraction("9".repeat(400))).toBeNull();
  });

  it("reads the last number and compares numbers with a relative tolerance of 1e-6", () => {
    expect(lastNumber("3 then 4.50, and finally $1,000")).toBe("1000");
    expect(lastNumber("only 7")).toBe("7");
    expect(lastNumber("none")).toBeNull();
    expect(sameNumber("1", "1.0000001")).toBe(true);
    expect(sameNumber("1", "1.00001")).toBe(false);
    expect(sameNumber("1000000", "1000000.5")).toBe(true);
    expect(sameNumber("1000000", "1000002")).toBe(false);
    expect(sameNumber("0", "0.0000009")).toBe(true);
    expect(sameNumber("abc", "1")).toBe(false);
    expect(sameNumber("1", "Infinity")).toBe(false);
  });
});

describe("GSM8K answers", () => {
  it("reads the first JSON answer field: quoted (unescaped), bare, or raw when the escape is not JSON", () => {
    expect(jsonAnswerField('{"answer": "a \\"quoted\\" 5"}')).toBe('a "quoted" 5');
    expect(jsonAnswerField('{"answer" :-1,234.5}')).toBe("-1,234.5");
    expect(jsonAnswerField('{"answer": "\\x41"}')).toBe("\\x41");
    expect(jsonAnswerField('{"answer": "1"} then {"answer": "2"}')).toBe("1");
    expect(jsonAnswerField('{"answer": null}')).toBeNull();
    expect(jsonAnswerField("the answer: 5")).toBeNull();
  });

  it("takes the JSON field, else a marker, else the last number, saying which", () => {
    expect(extractGsm8kAnswer('{"answer": "none of them"}')).toEqual({
      answerText: "none of them",
      number: null,
      source: "json",
    });
    expect(extractGsm8kAnswer('{"answer": "2/3 of it"}')).toEqual({
      answerText: "2/3 of it",
      number: "0.6666666667",
      source: "json",
    });
    expect(extractGsm8kAnswer("so 1 + 2 = 3\n#### 1,234 more text 9")).toEqual({
      answerText: "1,234",
      number: "1234",
      source: "marker",
    });
    expect(extractGsm8kAnswer("The Answer is: $ 42. Check 7").number).toBe("42");
    expect(extractGsm8kAnswer("\\boxed{-3.5} and 8").number).toBe("-3.5");
    expect(extractGsm8kAnswer("the answer is .5")).toMatchObject({ number: "0.5", source: "marker" });
    expect(extractGsm8kAnswer("3 then 4.50 left")).toEqual({
      answerText: "4.50",
      number: "4.5",
      source: "last-number",
    });
    expect(extractGsm8kAnswer("nothing")).toEqual({ answerText: null, number: null, source: "none" });
    expect(extractGsm8kAnswer("#### 5", { requireJsonAnswer: true })).toEqual({
      answerText: null,
      number: null,
      source: "none",
    });
    expect(extractGsm8kAnswer('{"answer": "5"}', { requireJsonAnswer: true }).number).toBe("5");
  });

  it("grades against the gold's first number with a tolerance", () => {
    expect(gradeGsm8k("#### 1000", "1,000")).toMatchObject({ correct: true, extraction: { source: "marker" } });
    expect(gradeGsm8k("#### 1000.0000001", "1000").correct).toBe(true);
    expect(gradeGsm8k("#### 999", "1000").correct).toBe(false);
    expect(gradeGsm8k("#### 5", "no gold").correct).toBe(false);
    expect(gradeGsm8k("no answer", "5").correct).toBe(false);
  });

  it("counts agreement with the recorded upstream verdicts line by line, listing each disagreement", () => {
    const line = (id: string, output: string, gold: unknown, reference?: unknown) => ({
      id,
      model: "m1",
      messages: [{ role: "user", content: `question ${id}` }],
      output,
      gold,
      ...(reference ? { reference } : {}),
    });
    const file = recordedGsm8k([
      line("a", '{"answer": "18"}', "18", { correct: true, answer: "18" }),
      line("b", "#### 7", "7", { correct: false, answer: null }),
      line("c", '{"answer": "5"}', "6", { correct: true }),
      line("d", '{"answer": "5"}', "5"),
    ]);
    const result = gsm8kAgreement(file);
    expect(result).toEqual({
      lines: 3,
      agree: 1,
      rate: 1 / 3,
      disagreements: [
        {
          id: "b",
          model: "m1",
          ours: true,
          reference: false,
          detail: "ours marker:7 vs upstream answer null (gold 7)",
        },
        { id: "c", model: "m1", ours: false, reference: true, detail: "ours json:5 vs upstream answer null (gold 6)" },
      ],
    });
    expect(gsm8kAgreement(file, { requireJsonAnswer: true }).disagreements.map((d) => d.id)).toEqual(["c"]);
  });
});

describe("MATH grading", () => {
  it("grades the extracted answer, and no answer as wrong", () => {
    expect(gradeMath('{"answer": "\\\\frac{1}{2}"}', "0.5")).toEqual({ correct: true, answer: "\\frac{1}{2}" });
    expect(gradeMath("so \\boxed{3}", "4")).toEqual({ correct: false, answer: "3" });
    expect(gradeMath("no answer here", "4")).toEqual({ correct: false, answer: null });
  });
});

describe("MMLU letters", () => {
  it("reads a JSON answer field that starts with the letter", () => {
    expect(extractMmluLetter('{"reasoning": "A is wrong", "answer": "(B) four"}')).toBe("B");
    expect(extractMmluLetter('{"answer": "C"}')).toBe("C");
    // "Bar" is a word, not the letter B: the field names no letter, and nothing else does.
    expect(extractMmluLetter('{"answer": "Bar"}')).toBeNull();
  });

  it("reads a lone letter, answer statements (the last one), boxed and bold letters, or a leading letter", () => {
    expect(extractMmluLetter("  D.  ")).toBe("D");
    expect(extractMmluLetter("(A)")).toBe("A");
    expect(extractMmluLetter("B:")).toBe("B");
    expect(extractMmluLetter("answer: **C**")).toBe("C");
    expect(extractMmluLetter("Answer is (A), no wait, the answer is B")).toBe("B");
    expect(extractMmluLetter("I pick \\boxed{ (D) }")).toBe("D");
    expect(extractMmluLetter("I pick **(B).** here")).toBe("B");
    expect(extractMmluLetter("**A** and then **C:**")).toBe("C");
    expect(extractMmluLetter("(C) because")).toBe("C");
    expect(extractMmluLetter("C) because")).toBe("C");
    expect(extractMmluLetter("C: because")).toBe("C");
    expect(extractMmluLetter("Candidates are many")).toBeNull();
    expect(extractMmluLetter("E")).toBeNull();
    expect(gradeMmlu("answer: B", "B")).toEqual({ correct: true, letter: "B" });
    expect(gradeMmlu("answer: B", "C")).toEqual({ correct: false, letter: "B" });
    expect(gradeMmlu("nothing", "C")).toEqual({ correct: false, letter: null });
  });
});

const MBPP_GOLD = {
  task_id: 1,
  test_list: ["assert add(1, 2) == 3", "assert add(2, 2) == 4"],
  test_imports: ["import math"],
};

describe("code graders around the sandbox", () => {
  it("names the functions the asserts call, leaving out builtins", () => {
    expect(
      calledFunctionNames([
        "assert sorted(find(x)) == list(range(3))",
        "assert math.isclose(area(2), 12.56, abs_tol=0.01)",
        "assert set(find(y)) == set() and len(z) == 0 and str(int(float(1))) and tuple(dict()) and frozenset()",
        "assert max(min(sum([abs(round(1))]))) and all([]) and any([])",
      ]),
    ).toEqual(["find", "range", "area"]);
  });

  it("builds the MBPP program: test imports, the code, then the name aliasing unless strict", () => {
    const program = mbppProgram("def plus(a, b):\n    return a + b", MBPP_GOLD);
    expect(
      program.startsWith('import math\ndef plus(a, b):\n    return a + b\n\nfor __pyramid_name in ["add"]:\n'),
    ).toBe(true);
    expect(program).toContain("        globals()[__pyramid_name] = __pyramid_roots[-1]\n");
    expect(mbppProgram("def add(a, b):\n    return a + b", MBPP_GOLD, true)).toBe(
      "import math\ndef add(a, b):\n    return a + b\n",
    );
  });

  it("runs MBPP asserts in the judge with CPU and wall limits per test, and maps the judge's reasons", async () => {
    const { pool, calls } = fakePool({ passed: true });
    const output = "```python\ndef add(a, b):\n    return a + b\n```";
    const graded = await gradeMbpp(output, MBPP_GOLD, { pool });
    expect(graded).toMatchObject({ correct: true, reason: null });
    expect(calls).toHaveLength(1);
    expect(calls[0].job).toEqual({
      setup: ["import math"],
      program: mbppProgram("def add(a, b):\n    return a + b\n", MBPP_GOLD),
      tests: MBPP_GOLD.test_list,
      perTestSec: 5,
    });
    expect(graded.program).toBe(calls[0].job.program);
    // 2 tests: CPU 5 s x (2 + 1), wall 3 x that + 10 s.
    expect(calls[0].options).toEqual({ wallTimeMs: 55_000, cpuTimeSec: 15 });
    const strict = fakePool({ passed: true });
    await gradeMbpp(output, MBPP_GOLD, { pool: strict.pool, perTestTimeSec: 0.3, strictNames: true });
    expect(strict.calls[0].options).toEqual({ wallTimeMs: 12_700, cpuTimeSec: 1 });
    expect(strict.calls[0].job.perTestSec).toBe(0.3);
    expect(strict.calls[0].job.program).not.toContain("__pyramid_name");
    const own = fakePool({ passed: true });
    await gradeMbpp(output, MBPP_GOLD, { pool: own.pool, sandbox: { cpuTimeSec: 2, memoryBytes: 1e8 } });
    expect(own.calls[0].options).toEqual({ wallTimeMs: 55_000, cpuTimeSec: 2, memoryBytes: 1e8 });

    const reasons: [Partial<JudgedResult>, string][] = [
      [{ reason: "assert", test: 1 }, "failed test 1"],
      [{ reason: "timeout", test: 0 }, "test 0 timed out"],
      [{ reason: "timeout", test: null }, "test timed out"],
      [{ reason: "wall-timeout" }, "timeout"],
      [{ reason: "worker:-24" }, "cpu-limit"],
      [{ reason: "worker:-9" }, "cpu-limit"],
      [{ reason: "worker:1" }, "worker:1"],
      [{ reason: "error:MemoryError", test: 0 }, "memory"],
      [{ reason: "error:SyntaxError" }, "syntax"],
      [{ reason: "error:IndentationError" }, "syntax"],
      [{ reason: "error:TabError" }, "syntax"],
      [{ reason: "error:SyntaxErrorX" }, "error: SyntaxErrorX"],
      [{ reason: "error:SyntaxError", test: 2 }, "failed test 2"],
      [{ reason: "error:NameError" }, "error: NameError"],
      [{ reason: "error:ValueError", test: 0 }, "failed test 0"],
      [{ reason: "output-limit" }, "output-limit"],
      [{ reason: null }, "no verdict"],
    ];
    for (const [result, reason] of reasons) {
      const graded2 = await gradeMbpp(output, MBPP_GOLD, { pool: fakePool(result).pool });
      expect(graded2.correct, reason).toBe(false);
      expect(graded2.reason).toBe(reason);
    }
  });

  it("builds the HumanEval program from a completion or a whole function, and runs check(entry_point)", async () => {
    const gold = { entry_point: "inc", test: "def check(f):\n    assert f(1) == 2" };
    const prompt = "import math\nfrom typing import List\n\ndef inc(x):\n";
    expect(humanEvalProgram("    return x + 1\n", prompt, gold)).toBe(`${prompt}    return x + 1\n\n`);
    expect(humanEvalProgram("```python\nimport os\ndef inc(x):\n    return x + 1\n```", prompt, gold)).toBe(
      "import math\nfrom typing import List\nimport os\ndef inc(x):\n    return x + 1\n\n",
    );
    expect(humanEvalTests(gold)).toEqual(["def check(f):\n    assert f(1) == 2\n\ncheck(inc)\n"]);
    const { pool, calls } = fakePool({ passed: false, reason: "assert", test: 0 });
    const graded = await gradeHumanEval("    return x\n", prompt, gold, { pool });
    expect(graded).toMatchObject({ correct: false, reason: "failed test 0", program: `${prompt}    return x\n\n` });
    // Ten tests' worth of time for check().
    expect(calls[0].options).toEqual({ wallTimeMs: 175_000, cpuTimeSec: 55 });
    expect(calls[0].job).toEqual({ setup: [], program: graded.program, tests: humanEvalTests(gold), perTestSec: 5 });
  });
});
