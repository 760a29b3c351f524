import { describe, expect, it } from "vitest";
import { evaluateExpression, expressionVariables } from "../../src/answers/latex_eval.js";
import { normalizeMathAnswer } from "../../src/answers/latex_normalize.js";
import { mathAnswerKey, mathAnswersEqual } from "../../src/answers/math_equivalence.js";

// Edges of the MATH answer layer found by mutation testing (npm run mutation -- --scope answers): each case fails
// when the line it names is changed. Values worked out by hand: a variable v takes the values
// 1.13 + (code(v) % 7) * 0.173 and 2.31 - (code(v) % 5) * 0.211 (math_equivalence.ts, `points`), e.g.
// x (120): 1.303, 2.31; a (97): 2.168, 1.888; b (98): 1.13, 1.677; c (99): 1.303, 1.466; C (67): 1.822, 1.888;
// A (65) and d (100): 1.476, 2.31 both.

describe("the safe expression evaluator's edges", () => {
  it("reads numbers of several digits on both sides of the point", () => {
    expect(evaluateExpression("12.5")).toBe(12.5);
    expect(evaluateExpression(".25")).toBe(0.25);
  });

  it("refuses an expression whose operand is missing, even when the tokens run out exactly", () => {
    for (const bad of ["-)", "sqrt(+))", ")^2", "2^)", "2*)", "1 + )", "2x", "x + 1"])
      expect(evaluateExpression(bad), JSON.stringify(bad)).toBeNull();
  });

  it("takes only letters as variables, and no variables from input it cannot read", () => {
    expect(evaluateExpression("*", { "*": 2 })).toBeNull();
    expect(expressionVariables("x $ y")).toEqual([]);
  });
});

describe("MATH answer keys and equivalence: edges", () => {
  it("reads a lone letter as a variable, in parentheses or not; case tells variables apart", () => {
    expect(mathAnswerKey("(C)")).toBe("f(C)=1.822,1.888");
    expect(mathAnswerKey("\\text{(C)}")).toBe("f(C)=1.822,1.888");
    expect(mathAnswerKey("(c)")).toBe("f(c)=1.303,1.466");
    expect(mathAnswersEqual("(c)", "(C)")).toBe(false);
  });

  it("names the variables in the key and compares them by name, not only by value", () => {
    expect(mathAnswerKey("A")).toBe("f(A)=1.476,2.31");
    expect(mathAnswerKey("d")).toBe("f(d)=1.476,2.31");
    expect(mathAnswersEqual("A + 1", "d + 1")).toBe(false);
    expect(mathAnswerKey("ab+1")).toBe("f(ab)=3.44984,4.166176");
    expect(mathAnswersEqual("ab+1", "ba+1")).toBe(true);
    expect(mathAnswersEqual("a+b+c", "c+b+a")).toBe(true);
  });

  it("wants an expression to agree at both fixed points", () => {
    expect(mathAnswersEqual("x", "2x - 1.303")).toBe(false);
    expect(mathAnswersEqual("x", "2x - x")).toBe(true);
  });

  it("keys an expression without a value at a fixed point as text", () => {
    expect(mathAnswerKey("1/(x-x)")).toBe("1/(x-x)");
  });

  it("keeps a command that has no value apart from one that has, whatever their case", () => {
    expect(mathAnswersEqual("\\Pi", "\\pi")).toBe(false);
    expect(mathAnswersEqual("\\pi", "\\Pi")).toBe(false);
    expect(mathAnswersEqual("\\Pi", "\\Pi")).toBe(true);
  });

  it("reads a command followed by a letter: \\pi r^2 is pi times r squared", () => {
    expect(mathAnswersEqual("\\pi r^2", "r^2 \\pi")).toBe(true);
    expect(mathAnswerKey("a \\cdot b")).toBe("f(ab)=2.44984,3.166176");
  });

  it("compares ordered tuples part by part", () => {
    expect(mathAnswersEqual("(1, 2)", "(1, 3)")).toBe(false);
  });

  it("splits lists only at top-level commas and unions at every top-level \\cup", () => {
    expect(mathAnswerKey("\\{(1/2, 3), 4\\}")).toBe("{(0.5,3),4}");
    expect(mathAnswerKey("(1, 2) \\cup (3, 4) \\cup (5, 6)")).toBe("U(1,2),(3,4),(5,6)");
    expect(mathAnswerKey("\\{1, 2\\} \\cup (3, 4)")).toBe("U(3,4),{1,2}");
    expect(mathAnswerKey("(0, 1) \\cup \\{2\\}")).toBe("U(0,1),{2}");
  });

  it("makes a tuple only of brackets that enclose the whole answer", () => {
    expect(mathAnswerKey("((1), 2)")).toBe("(1,2)");
    expect(mathAnswerKey("(1.0,2)+(3,4)")).toBe("(1.0,2)+(3,4)");
    expect(mathAnswerKey("(1.0,(2)")).toBe("(1.0,(2)");
    expect(mathAnswerKey("1, (2)")).toBe("1,2");
  });

  it("reads a matrix environment only as the whole answer, without empty cells", () => {
    expect(mathAnswerKey("\\begin{matrix} 1 & 2 \\end{matrix}")).toBe("M[1,2]");
    expect(mathAnswerKey("\\begin{pmatrix} 1 \\\\ 2 \\\\ \\end{pmatrix}")).toBe("M[1,2]");
    expect(mathAnswerKey("2\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}")).toBe("2\\begin{pmatrix}1;2\\end{pmatrix}");
    expect(mathAnswerKey("\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}^T")).toBe("\\begin{pmatrix}1;2\\end{pmatrix}^t");
  });

  it("reads a mixed number only as the whole answer, with numbers of several digits", () => {
    expect(mathAnswerKey("12\\frac{11}{20}")).toBe("12.55");
    expect(mathAnswerKey("3 + 2\\frac{1}{2}")).toBe("4");
    expect(mathAnswerKey("2\\frac{1}{2} - 1")).toBe("0");
  });

  it("turns LaTeX into arithmetic: long arguments, nested powers, functions, grouping braces", () => {
    expect(mathAnswerKey("\\frac{1}{10}")).toBe("0.1");
    expect(mathAnswerKey("\\sqrt[10]{1024}")).toBe("2");
    expect(mathAnswerKey("\\sqrt[3]{27}")).toBe("3");
    expect(mathAnswerKey("\\frac{2^{10}}{2}")).toBe("512");
    expect(mathAnswerKey("\\cos(0)")).toBe("1");
    expect(mathAnswerKey("{1+2}^2")).toBe("9");
  });
});

describe("MATH answer normalization: edges", () => {
  it("keeps a number followed by a joining word whole, in any case; drops a unit word", () => {
    for (const word of ["and", "or", "not", "if", "is", "are", "but", "when", "where", "for", "with", "to", "then"])
      expect(normalizeMathAnswer(`3 ${word} more`), word).toBe(`3${word}more`);
    for (const word of ["because", "since"]) expect(normalizeMathAnswer(`3 ${word} more`), word).toBe(`3${word}more`);
    expect(normalizeMathAnswer("3 Or More")).toBe("3OrMore");
    expect(normalizeMathAnswer("3 and. more")).toBe("3and.more");
    expect(normalizeMathAnswer("5 feet 3")).toBe("5feet3");
    expect(normalizeMathAnswer("5 feet3")).toBe("5feet3");
  });

  it("drops a unit word only from answers of at most 400 characters", () => {
    const digits = (n: number): string => "1".repeat(n);
    expect(normalizeMathAnswer(`${digits(397)} cm`)).toBe(digits(397));
    expect(normalizeMathAnswer(`${digits(398)} cm`)).toBe(`${digits(398)}cm`);
  });

  it("reads a Unicode root of a decimal number whole", () => {
    expect(normalizeMathAnswer("\u221a12.25")).toBe("\\sqrt{12.25}");
  });

  it("takes the last side of an equation only when its left side is a name or the equation is a chain", () => {
    for (const named of ["x=5", "m+n = 5", "m + n = 5", "a_1 + b_2 = 5", "a + b_{12} = 5", "a_{12} = 5", "f(10) = 5"])
      expect(normalizeMathAnswer(named), named).toBe("5");
    expect(normalizeMathAnswer("2x = 7")).toBe("2x=7");
    expect(normalizeMathAnswer("2x + y = 7")).toBe("2x+y=7");
    expect(normalizeMathAnswer("2 \\cdot 3 = 3 + 3 = 6")).toBe("6");
    expect(normalizeMathAnswer("x = 2 \\le 5")).toBe("x=2\\le5");
  });

  it("strips quotes only around the answer, after trimming it", () => {
    expect(normalizeMathAnswer(" 'x' ")).toBe("x");
    expect(normalizeMathAnswer("``x^2``")).toBe("x^2");
    expect(normalizeMathAnswer("\\text{Bob's}")).toBe("Bob's");
  });

  it("reads runs of escaped backslashes, LaTeX spaces before a letter, and {,} as a comma", () => {
    expect(normalizeMathAnswer("\\\\\\\\frac{1}{2}")).toBe("\\frac{1}{2}");
    expect(normalizeMathAnswer("\\pi\\,r")).toBe("\\pi r");
    expect(normalizeMathAnswer("12{,}5")).toBe("12,5");
  });

  it("drops degrees written in any spacing, wherever they are", () => {
    expect(normalizeMathAnswer("(30^{\\circ}, 40^ { \\circ }, 50^\\circ, 60^ \\circ, 70)")).toBe("(30,40,50,60,70)");
  });

  it("drops an empty or unclosed exponent and a second trailing period", () => {
    expect(normalizeMathAnswer("5^")).toBe("5");
    expect(normalizeMathAnswer("5^{")).toBe("5");
    expect(normalizeMathAnswer("7..")).toBe("7");
  });

  it("braces a fraction's digit numerator and a root's digits", () => {
    expect(normalizeMathAnswer("\\frac1{2}")).toBe("\\frac{1}{2}");
    expect(normalizeMathAnswer("\\sqrt12")).toBe("\\sqrt{12}");
  });

  it("drops thousands separators only from an answer that is one number", () => {
    expect(normalizeMathAnswer("1,000,000")).toBe("1000000");
    expect(normalizeMathAnswer("1,000.25")).toBe("1000.25");
    expect(normalizeMathAnswer("2, 1,000")).toBe("2,1,000");
    expect(normalizeMathAnswer("1,000, 5")).toBe("1,000,5");
  });

  it("drops a base subscript only from an answer that is one number", () => {
    expect(normalizeMathAnswer("100_{16}")).toBe("100");
    expect(normalizeMathAnswer("2+100_{2}")).toBe("2+100_{2}");
    expect(normalizeMathAnswer("100_{2}+2")).toBe("100_{2}+2");
  });
});
