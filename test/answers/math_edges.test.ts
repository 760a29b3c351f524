import { describe, expect, it } from "vitest";
import { evaluateExpression, expressionVariables } from "../../src/answers/latex_eval.js";
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
