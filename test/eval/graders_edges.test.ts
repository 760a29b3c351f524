import { describe, expect, it } from "vitest";
import {
  extractGsm8kAnswer,
  extractMmluLetter,
  firstNumber,
  firstNumberOrFraction,
  gradeGsm8k,
  gradeHumanEval,
  humanEvalProgram,
  lastNumber,
} from "../../src/eval/graders/index.js";
import { gsm8kAgreement } from "../../src/eval/graders/agreement.js";
import { fakePool, recordedGsm8k } from "./graders_fixtures.js";

// Edges of the graders found by mutation testing (npm run mutation -- --scope graders): each case fails when the
// line it names is changed.

describe("GSM8K agreement edges", () => {
  it("skips lines without an upstream verdict or without a text gold", () => {
    const file = recordedGsm8k([
      { id: "judged", output: "#### 3", gold: "4", reference: { correct: false } },
      { id: "no verdict", output: "#### 3", gold: "3" },
      { id: "object gold", output: "#### 3", gold: { value: 3 }, reference: { correct: true } },
    ]);
    expect(gsm8kAgreement(file)).toEqual({ lines: 1, agree: 1, rate: 1, disagreements: [] });
  });

  it("names a line without an id as ? and says what each side read", () => {
    const file = recordedGsm8k([{ output: "no number", gold: "5", reference: { correct: true, answer: "5" } }]);
    expect(gsm8kAgreement(file).disagreements).toEqual([
      { id: "?", model: "m", ours: false, reference: true, detail: 'ours none:none vs upstream answer "5" (gold 5)' },
    ]);
  });

  it("rates an empty file 0 without dividing by zero", () => {
    expect(gsm8kAgreement(recordedGsm8k([{ id: "x", output: "1", gold: "1" }]))).toEqual({
      lines: 0,
      agree: 0,
      rate: 0,
      disagreements: [],
    });
  });
});

describe("GSM8K number edges", () => {
  it("reads a marker's number to its last digit, and a decimal after a bare point", () => {
    expect(extractGsm8kAnswer("#### 125 apples").number).toBe("125");
    expect(extractGsm8kAnswer("the answer is 3.75").number).toBe("3.75");
    expect(firstNumber("a .25 b")).toBe(".25");
    expect(lastNumber("first 1 then .75")).toBe(".75");
    expect(lastNumber("")).toBeNull();
  });

  it("grades wrong when either side has no number, right only for the same number", () => {
    expect(gradeGsm8k("nothing", "nothing").correct).toBe(false);
    expect(gradeGsm8k("#### 5", "").correct).toBe(false);
    expect(gradeGsm8k("nothing", "5").correct).toBe(false);
    expect(gradeGsm8k("#### 6", "5").correct).toBe(false);
    expect(gradeGsm8k("#### 5", "5").correct).toBe(true);
    // A missing number never reads as 0.
    expect(gradeGsm8k("nothing", "0").correct).toBe(false);
    expect(gradeGsm8k("#### 0", "none").correct).toBe(false);
  });

  it("reads multi-digit and decimal fractions whole", () => {
    expect(firstNumberOrFraction("12/16")).toBe(0.75);
    expect(firstNumberOrFraction("1.25/2.5")).toBe(0.5);
    expect(firstNumberOrFraction("3/12")).toBe(0.25);
    expect(firstNumberOrFraction("3/2.25")).toBeCloseTo(4 / 3, 15);
    expect(firstNumberOrFraction("3/2.x")).toBe(1.5);
  });

  it("reads a fraction after words as the fraction, not its numerator (the JSON answer field of GSM8K)", () => {
    expect(firstNumberOrFraction("about 3/4")).toBe(0.75);
    expect(firstNumberOrFraction("She needs 3/4 cup")).toBe(0.75);
    expect(firstNumberOrFraction("about 3 of 4/5")).toBe(3);
    expect(gradeGsm8k('{"reasoning": "half of 1.5", "answer": "about 3/4"}', "0.75").correct).toBe(true);
    expect(gradeGsm8k('{"reasoning": "half of 1.5", "answer": "about 3/4"}', "3").correct).toBe(false);
  });
});

describe("MMLU letter edges", () => {
  it("reads the JSON field's letter only at its start", () => {
    expect(extractMmluLetter('{"answer": "It is C"}')).toBeNull();
    expect(extractMmluLetter('{"answer": "x(B)"}')).toBeNull();
    expect(extractMmluLetter('{"answer": "  (B)"}')).toBe("B");
  });

  it("reads a lone letter only when it is the whole output, and a leading letter only at the start", () => {
    expect(extractMmluLetter("so C")).toBeNull();
    expect(extractMmluLetter("I say A. done")).toBeNull();
    expect(extractMmluLetter("xB: yes")).toBeNull();
  });

  it("reads answer statements with or without 'is', colons, spaces and bold marks", () => {
    expect(extractMmluLetter("Answer is C")).toBe("C");
    expect(extractMmluLetter("AnswerB")).toBe("B");
    expect(extractMmluLetter("Answer:B")).toBe("B");
    expect(extractMmluLetter("answer: ** (D)")).toBe("D");
    expect(extractMmluLetter("answer**A")).toBe("A");
    expect(extractMmluLetter("answer is:  B")).toBe("B");
    expect(extractMmluLetter("answer  is C")).toBe("C");
    // Only spaces, a colon and bold marks may stand between the statement and its letter.
    expect(extractMmluLetter("answer isxB")).toBeNull();
    expect(extractMmluLetter("answer:xB")).toBeNull();
  });
});

describe("code grader edges", () => {
  const fake = fakePool({ reason: "judge-error:SyntaxError" }).pool;

  it("maps a syntax error to syntax only when the reason starts with error:", async () => {
    const gold = { entry_point: "f", test: "def check(f):\n    pass" };
    expect((await gradeHumanEval("    return 1\n", "def f():\n", gold, { pool: fake })).reason).toBe(
      "judge-error:SyntaxError",
    );
  });

  it("picks the block defining the entry point and keeps only the prompt's import lines", () => {
    const gold = { entry_point: "f", test: "" };
    const prompt = "import os\n  import sys\nfrom  x.y  import z\nimportant = 1\nfrom a import\ndef f():\n";
    const output = "```python\ndef g():\n    return 1\n```\n```python\ndef f():\n    return 2\n```";
    expect(humanEvalProgram(output, prompt, gold)).toBe("import os\nfrom  x.y  import z\ndef f():\n    return 2\n\n");
  });
});
