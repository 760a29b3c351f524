import { describe, expect, it } from "vitest";
import { evaluateExpression, expressionVariables } from "../../src/answers/latex_eval.js";
import { normalizeMathAnswer } from "../../src/answers/latex_normalize.js";
import { mathAnswerKey, mathAnswersEqual, parseMathAnswer } from "../../src/answers/math_equivalence.js";
import { extractMathLatexAnswer } from "../../src/answers/extract_math_latex.js";

// Exact values of the MATH layer (the math-latex vote keys and the MATH-500 grader's equivalence), case by case.

describe("the safe expression evaluator", () => {
  it("follows precedence: unary minus, right-associative powers, implicit products, functions", () => {
    const cases: [string, number][] = [
      ["1 + 2 * 3", 7],
      ["(1 + 2) * 3", 9],
      ["8 / 4 / 2", 1],
      ["10 - 4 - 3", 3],
      ["2^3^2", 512],
      ["-2^2", -4],
      ["+3", 3],
      ["2(3)", 6],
      ["2pi", 2 * Math.PI],
      ["3sqrt(4)", 6],
      ["2 3", 6],
      ["e", Math.E],
      ["ln(e)", 1],
      ["log(1000)", 3],
      ["exp(0)", 1],
      ["sin(0) + cos(0) + tan(0)", 1],
      ["sqrt(16)", 4],
      ["1.5 * 2", 3],
      [".5 + 2.", 2.5],
      ["6 / 3 * 2", 4],
      ["2 * -3", -6],
    ];
    for (const [input, value] of cases) expect(evaluateExpression(input), input).toBeCloseTo(value, 12);
  });

  it("reads single-letter variables from their values, and refuses what it cannot evaluate", () => {
    expect(evaluateExpression("2x + y", { x: 3, y: 1 })).toBe(7);
    expect(evaluateExpression("x", {})).toBeNull();
    for (const bad of [
      "",
      "   ",
      "(1 + 2",
      "1 +",
      "sqrt 4",
      "sqrt(4",
      "sqrt()",
      "1 / 0",
      "2 $",
      "foo",
      "1 2 )",
      "()",
      "^2",
    ])
      expect(evaluateExpression(bad), JSON.stringify(bad)).toBeNull();
    expect(expressionVariables("2x + y*e - sin(z) + pi + x")).toEqual(["x", "y", "z"]);
    expect(expressionVariables("1 $ 2")).toEqual([]);
  });
});

describe("MATH answer normalization", () => {
  it("unwraps boxes, dollars, text and spacing; turns Unicode into LaTeX", () => {
    const cases: [string, string][] = [
      [' "\\boxed{\\dfrac{1}{2}}" ', "\\frac{1}{2}"],
      ["$\\frac12$", "\\frac{1}{2}"],
      ["\\tfrac{3}5", "\\frac{3}{5}"],
      ["\\frac{\\pi}2", "\\frac{\\pi}{2}"],
      ["\\\\frac{1}{3}", "\\frac{1}{3}"],
      ["\u22125 \u00d7 2", "-5\\times2"],
      ["3\u00b7\u03c0", "3\\cdot\\pi"],
      ["\u221e", "\\infty"],
      ["x \u2248 3", "3"],
      ["\u221a2", "\\sqrt{2}"],
      ["\u221a{x}", "\\sqrt{x}"],
      ["\\left( 1, 2 \\right]", "(1,2]"],
      ["1\\,000", "1000"],
      ["1{,}000", "1000"],
      ["12,345.5", "12345.5"],
      ["1,23", "1,23"],
      ["90^\\circ", "90"],
      ["90^{\\circ}", "90"],
      ["45\u00b0", "45"],
      ["30\\degree", "30"],
      ["50\\%", "50"],
      ["50%", "50"],
      ["\\$12.50", "12.50"],
      ["\\text{Evelyn}", "Evelyn"],
      ["\\textbf{\\text{(B)}}", "(B)"],
      ["\\mbox{yes}", "yes"],
      ["\\displaystyle 5", "5"],
      ["46 feet.", "46"],
      ["10 cm^2", "10"],
      ["5.4 \\text{ cents}", "5.4"],
      ["12 square units", "12"],
      ["3 and 4", "3and4"],
      ["2 if x", "2ifx"],
      ["x = 5", "5"],
      ["a + b = 1 + 2 = 3", "3"],
      ["f(2) = 7", "7"],
      ["\\theta = 30", "30"],
      ["a_n = 4", "4"],
      ["x^5 + 7x^4 - 2 = 0", "x^5+7x^4-2=0"],
      ["x=1, y=2", "x=1,y=2"],
      ["x \\leq 5", "x\\le5"],
      ["x \\geq 5", "x\\ge5"],
      ["x \\ge 5", "x\\ge5"],
      ["y > 2 = z", "y>2=z"],
      [".5", "0.5"],
      ["-.25", "-0.25"],
      ["\\sqrt3", "\\sqrt{3}"],
      ["\\frac{2}3", "\\frac{2}{3}"],
      ["1\\\\2", "1;2"],
      ["\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}1;2\\end{pmatrix}"],
      ["100_{7}", "100"],
      ["1010_2", "1010"],
      ["5^{}", "5"],
      ["~7~", "7"],
      ["\\bigg( 1 \\bigg)", "(1)"],
    ];
    for (const [input, normalized] of cases) expect(normalizeMathAnswer(input), input).toBe(normalized);
  });
});

describe("MATH answer structure and keys", () => {
  it("parses scalars, ordered tuples and intervals, unordered lists, sets, unions and matrices", () => {
    expect(parseMathAnswer("  ")).toBeNull();
    expect(parseMathAnswer("5")).toEqual({ kind: "scalar", text: "5" });
    expect(parseMathAnswer("(1, 2]")).toMatchObject({ kind: "list", open: "(", close: "]", ordered: true });
    expect(parseMathAnswer("(1)(2)")).toEqual({ kind: "scalar", text: "(1)(2)" });
    expect(parseMathAnswer("(1)")).toEqual({ kind: "scalar", text: "(1)" });
    expect(parseMathAnswer("1, 2")).toMatchObject({ kind: "list", open: "", close: "", ordered: false });
    expect(parseMathAnswer("\\{3, (1, 2)\\}")).toMatchObject({ kind: "list", open: "{", close: "}", ordered: false });
    expect(parseMathAnswer("(-\\infty, 1) \\cup (2, 3)")).toMatchObject({ kind: "list", open: "U", ordered: false });
    expect(parseMathAnswer("\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}")).toEqual({
      kind: "list",
      open: "M[",
      close: "]",
      ordered: true,
      parts: ["1", "2", "3", "4"].map((text) => ({ kind: "scalar", text })),
    });
  });

  it("keys equivalent answers alike: numbers to 6 decimals, expressions by their values, text in lower case", () => {
    const keys: [string, string][] = [
      ["\\frac{3}{4}", "0.75"],
      ["3/4", "0.75"],
      ["1\\frac{4}{5}", "1.8"],
      ["-2\\frac{1}{2}", "-2.5"],
      ["2^{10}", "1024"],
      ["\\sqrt[3]{8}", "2"],
      ["2\\sqrt{5}", formatted(2 * Math.sqrt(5))],
      ["\\frac{\\pi}{2}", formatted(Math.PI / 2)],
      ["3 \\cdot 4", "12"],
      ["2 \\times 3", "6"],
      ["\\sin(0)", "0"],
      ["2**3", "8"],
      ["\\text{Evelyn}", "evelyn"],
      ["-\\infty", "-\\infty"],
      [
        "x^2",
        `f(x)=${formatted(1.13 ** 2 * 0 + (1.13 + (120 % 7) * 0.173) ** 2)},${formatted((2.31 - (120 % 5) * 0.211) ** 2)}`,
      ],
      ["(1, -2)", "(1,-2)"],
      ["[2, 5)", "[2,5)"],
      ["2, 1", "1,2"],
      ["\\{2, 1\\}", "{1,2}"],
      ["(3, 4) \\cup (1, 2)", "U(1,2),(3,4)"],
      ["abcd", "abcd"],
      ["ab", "ab"],
      ["w+x+y+z", "w+x+y+z"],
      ["\\alpha", "\\alpha"],
    ];
    for (const [answer, key] of keys) expect(mathAnswerKey(answer), answer).toBe(key);
    expect(mathAnswerKey("")).toBeNull();
  });

  it("decides equivalence: structure first, numbers within 1e-6, expressions at fixed points, text in lower case", () => {
    const same: [string, string][] = [
      ["2x + 2", "2(x+1)"],
      ["2x y", "2y x"],
      ["\\frac{1}{3}", "0.3333333333"],
      ["1, 2", "2, 1"],
      ["\\{1, 2\\}", "\\{2, 1\\}"],
      ["(1, 2) \\cup (3, 4)", "(3, 4) \\cup (1, 2)"],
      ["\\text{Yes}", "yes"],
      ["1, 1, 2", "1, 2, 1"],
      ["\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}"],
    ];
    for (const [a, b] of same) expect(mathAnswersEqual(a, b), `${a} = ${b}`).toBe(true);
    const different: [string, string][] = [
      ["x + 1", "y + 1"],
      ["x^2", "x^3"],
      ["(1, 2)", "[1, 2)"],
      ["(1, 2)", "(1, 2, 3)"],
      ["1, 2", "(1, 2)"],
      ["1, 1, 2", "1, 2, 2"],
      ["\\frac{1}{3}", "0.333"],
      ["yes", "no"],
      ["5", "five"],
      ["5", "(5, 6)"],
      ["(5, 6)", "5"],
      ["a+b+c+d", "a+b+c+e"],
      ["", ""],
      ["5", ""],
    ];
    for (const [a, b] of different) expect(mathAnswersEqual(a, b), `${a} != ${b}`).toBe(false);
    // Text answers compare as text; a text and a number never match.
    expect(mathAnswersEqual("\\text{Monday}", "monday")).toBe(true);
    expect(mathAnswersEqual("abc", "3")).toBe(false);
  });

  it("extracts math-latex answers keyed by their value, falling back to the last number", () => {
    expect(extractMathLatexAnswer('{"answer": " \\\\frac{3}{4} "}')).toEqual({ key: "0.75", display: "\\frac{3}{4}" });
    expect(extractMathLatexAnswer("so it is 12 or 13 apples")).toEqual({ key: "13", display: "13" });
    expect(extractMathLatexAnswer('{"answer": "$$"} and 7')).toEqual({ key: "7", display: "7" });
    expect(extractMathLatexAnswer("nothing")).toBeNull();
  });
});

function formatted(x: number): string {
  return String(Number(x.toFixed(6)));
}
