import { describe, expect, it } from "vitest";
import { extractAnswer, firstCodeBlock, lastBoxed, normalizeNumber } from "../../src/index.js";
import {
  canonicalNumber,
  extractGsm8kAnswer,
  extractMath500Answer,
  extractPythonCode,
  fencedBlocks,
  firstNumberOrFraction,
  lastBoxedLatex,
  lastNumber,
  normalizeGradedNumber,
  sameNumber,
} from "../../src/eval/index.js";
import { findNumbers, formatNumber } from "../../src/answers/normalize_number.js";
import { bracedGroup } from "../../src/answers/boxed.js";
import { codeFences } from "../../src/answers/extract_code.js";
import { fractionValue } from "../../src/answers/normalize_number.js";
import { numbersClose } from "../../src/eval/graders/number.js";

// The readers shared by the pyramid's vote (src/answers) and the graders (src/eval/graders): each
// case pins what one of the two callers relied on before they shared code.

describe("shared number formatting and fractions", () => {
  it("formats vote keys with 6 decimals and graded numbers with 10", () => {
    expect(formatNumber(18)).toBe("18");
    expect(formatNumber(1 / 3)).toBe("0.333333");
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(-1e-9)).toBe("0");
    expect(formatNumber(2.5e-7)).toBe("0");
    expect(formatNumber(1 / 3, 10)).toBe("0.3333333333");
    expect(canonicalNumber(1 / 3)).toBe("0.3333333333");
    expect(canonicalNumber(2.5e-7)).toBe("2.5e-7");
    expect(canonicalNumber(-0)).toBe("0");
    expect(canonicalNumber(57500)).toBe("57500");
  });

  it("divides fractions, refusing a zero denominator", () => {
    expect(fractionValue("3", "4")).toBe(0.75);
    expect(fractionValue("-2.5", "0.5")).toBe(-5);
    expect(fractionValue("1", "0")).toBeNull();
    expect(fractionValue("1", "0.0")).toBeNull();
  });

  it("compares graded numbers with a relative tolerance of 1e-6", () => {
    expect(numbersClose(0.3333333, 1 / 3)).toBe(true);
    expect(numbersClose(1e6, 1e6 + 0.5)).toBe(true);
    expect(numbersClose(1e6, 1e6 + 2)).toBe(false);
    expect(numbersClose(0, 2e-6)).toBe(false);
    expect(sameNumber("0.3333333", "0.3333333333")).toBe(true);
    expect(sameNumber("abc", "1")).toBe(false);
  });
});

describe("the vote's number reading (src/answers)", () => {
  it("normalizes one number: currency, thousands groups, trailing zeros and point, fractions", () => {
    expect(normalizeNumber("$57,500")).toBe("57500");
    expect(normalizeNumber("1,000.50")).toBe("1000.5");
    expect(normalizeNumber("3/4")).toBe("0.75");
    expect(normalizeNumber("-6/4")).toBe("-1.5");
    expect(normalizeNumber("3/0")).toBeNull();
    expect(normalizeNumber("18.")).toBe("18");
    expect(normalizeNumber(".5")).toBe("0.5");
    expect(normalizeNumber("50%")).toBeNull();
    expect(normalizeNumber("1,2")).toBeNull();
    expect(normalizeNumber("€5")).toBeNull();
  });

  it("finds numbers in text, joining only 3-digit groups across commas", () => {
    expect(findNumbers("3,4,12").map((n) => n.key)).toEqual(["3", "4", "12"]);
    expect(findNumbers("50% of $1,234,567.50 is 3/4 of x").map((n) => n.key)).toEqual(["50", "1234567.5", "0.75"]);
    expect(findNumbers("a - 5 and \u22127").map((n) => n.key)).toEqual(["5", "7"]);
    expect(findNumbers("12,3456").map((n) => n.key)).toEqual(["12345", "6"]);
    expect(extractAnswer("First 3,4, then 12", "math")?.key).toBe("12");
    expect(extractAnswer('{"answer": "$57,500 per year"}', "math")).toEqual({ key: "57500", display: "$57,500" });
  });
});

describe("the GSM8K grader's number reading (src/eval/graders)", () => {
  it("drops every comma, currency signs and a detached or Unicode minus", () => {
    expect(normalizeGradedNumber("$57,500")).toBe("57500");
    expect(normalizeGradedNumber("1,000.50")).toBe("1000.5");
    expect(normalizeGradedNumber("50%")).toBe("50");
    expect(normalizeGradedNumber("18.")).toBe("18");
    expect(normalizeGradedNumber("1,2")).toBe("12");
    expect(normalizeGradedNumber("12,3456")).toBe("123456");
    expect(normalizeGradedNumber("- 5")).toBe("-5");
    expect(normalizeGradedNumber("\u22125")).toBe("-5");
    expect(normalizeGradedNumber("€20.00")).toBe("20");
    expect(normalizeGradedNumber("none")).toBeNull();
    expect(lastNumber("3,4,12")).toBe("3412");
    expect(lastNumber("600 - 198 - 209")).toBe("-209");
  });

  it("reads a leading fraction, else the first number", () => {
    expect(firstNumberOrFraction("3/4 of the cake")).toBe(0.75);
    expect(firstNumberOrFraction("2.5 / 0.5")).toBe(5);
    expect(firstNumberOrFraction("3/0 apples")).toBe(3);
    expect(firstNumberOrFraction("$1,000/2")).toBe(1000);
    expect(firstNumberOrFraction("x")).toBeNull();
    expect(extractGsm8kAnswer('{"answer": "2/3"}').number).toBe("0.6666666667");
    expect(extractGsm8kAnswer('{"answer": "1,2"}').number).toBe("12");
  });
});

describe("\\boxed{} readers", () => {
  it("reads nested brace groups", () => {
    expect(bracedGroup("x{a{b}c}d", 1)).toBe("a{b}c");
    expect(bracedGroup("x{a{b}c", 1)).toBeNull();
    expect(bracedGroup("x{a}", 0)).toBeNull();
  });

  it("the vote reads only the last \\boxed{", () => {
    expect(lastBoxed("\\boxed{1} and \\boxed{\\frac{1}{2}}")).toBe("\\frac{1}{2}");
    expect(lastBoxed("\\boxed{1} then \\boxed 2")).toBe("1");
    expect(lastBoxed("\\fbox{3}")).toBeNull();
    expect(lastBoxed("\\boxed {4}")).toBeNull();
    expect(lastBoxed("\\boxed{5")).toBeNull();
    expect(extractAnswer("\\boxed{42} so \\fbox{7}", "math")?.key).toBe("42");
  });

  it("the MATH grader also reads \\fbox, spaced and unbraced boxes", () => {
    expect(lastBoxedLatex("\\boxed{1} and \\boxed{\\frac{1}{2}}")).toBe("\\frac{1}{2}");
    expect(lastBoxedLatex("\\boxed{1} then \\boxed 2")).toBe("2");
    expect(lastBoxedLatex("\\fbox{3}")).toBe("3");
    expect(lastBoxedLatex("\\boxed {4}")).toBe("4");
    expect(lastBoxedLatex("\\boxed{5")).toBeNull();
    expect(lastBoxedLatex("\\boxed{1} and \\boxed")).toBeNull();
    expect(extractMath500Answer("\\boxed{42} so \\fbox{7}")).toBe("7");
  });
});

describe("code fences", () => {
  it("scans fenced blocks: language, unclosed last block, fence without a line break", () => {
    const text = "intro ```Python3 extra\ndef f():\n    pass\n```\nmid\n```\nx = 1\n```\n```js\nopen(";
    expect([...codeFences(text)].map(({ lang, code }) => ({ lang, code }))).toEqual([
      { lang: "python3", code: "def f():\n    pass\n" },
      { lang: "", code: "x = 1\n" },
      { lang: "js", code: "open(" },
    ]);
    expect([...codeFences("```python")]).toEqual([]);
    expect([...codeFences("````\ncode\n````")].map((f) => f.code)).toEqual(["code\n"]);
  });

  it("the vote keys on the first block whatever its language, keeping CRLF in its display", () => {
    expect(firstCodeBlock("```js\na\r\n```\n```python\nb\n```")).toBe("a\r\n");
    expect(firstCodeBlock("no fence")).toBeNull();
    expect(extractAnswer("```js\na // c\n```\n```python\nb\n```", "code")).toEqual({ key: "a", display: "a // c\n" });
  });

  it("the grader reads LF-normalized blocks and [PYTHON] tags in text order, and runs Python", () => {
    const text = "```js\na\r\n```\n[PYTHON]\ndef g():\n    return 1\n[/PYTHON]\n```python\ndef f():\n    return 2\n```";
    expect(fencedBlocks(text)).toEqual([
      { lang: "js", code: "a\n" },
      { lang: "python", code: "def g():\n    return 1\n" },
      { lang: "python", code: "def f():\n    return 2\n" },
    ]);
    expect(extractPythonCode(text, ["f"])).toBe("def f():\n    return 2\n");
    expect(extractPythonCode("```python\nimport os\n```\n```py\ndef f():\n    pass\n```")).toBe(
      "import os\ndef f():\n    pass\n",
    );
  });
});
