import { describe, expect, it } from "vitest";
import { calledFunctionNames, extractPythonCode, fencedBlocks, unfencedCode } from "../../src/answers/code_extract.js";
import { codeFences } from "../../src/answers/extract_code.js";
import { extractMathAnswer } from "../../src/answers/extract_math.js";
import { extractJsonFieldAnswer } from "../../src/answers/key_json_field.js";
import { extractLabelAnswer, labelPatterns } from "../../src/answers/key_labels.js";
import { jsonAnswerText, mathAnswerText } from "../../src/answers/math_answer_text.js";
import { findNumbers, firstNumber, normalizeNumber } from "../../src/answers/normalize_number.js";

// Edges of the number, math, MATH-text, JSON-field and label readers found by mutation testing
// (npm run mutation -- --scope answers): each case fails when the line it names is changed.

describe("number reading edges", () => {
  it("reads fractions: unsigned, several digits, spaces around the bar, words after them", () => {
    expect(findNumbers("2/3")).toEqual([{ key: "0.666667", raw: "2/3" }]);
    expect(findNumbers("12/4")).toEqual([{ key: "3", raw: "12/4" }]);
    expect(findNumbers("3 / 4")).toEqual([{ key: "0.75", raw: "3 / 4" }]);
    expect(findNumbers("3/4 of")).toEqual([{ key: "0.75", raw: "3/4" }]);
  });

  it("reads a dollar sign with or without a space, and every 3-digit group", () => {
    expect(findNumbers("$7")).toEqual([{ key: "7", raw: "$7" }]);
    expect(findNumbers("$ 7")).toEqual([{ key: "7", raw: "$ 7" }]);
    expect(findNumbers("12,345")).toEqual([{ key: "12345", raw: "12,345" }]);
    expect(findNumbers("1,234,567")).toEqual([{ key: "1234567", raw: "1,234,567" }]);
  });

  it("skips a number too large to be finite", () => {
    expect(findNumbers("9".repeat(400))).toEqual([]);
    expect(firstNumber(`${"9".repeat(400)} 5`)).toEqual({ key: "5", raw: "5" });
  });

  it("normalizes a fraction only when it is the whole text, with any digits and spacing", () => {
    expect(normalizeNumber("3/4")).toBe("0.75");
    expect(normalizeNumber("12/4")).toBe("3");
    expect(normalizeNumber("3/12")).toBe("0.25");
    expect(normalizeNumber("x 3/4")).toBeNull();
    expect(normalizeNumber("3/4 x")).toBeNull();
    expect(normalizeNumber("1,234.5")).toBe("1234.5");
  });
});

describe("math answer edges", () => {
  it("reads a JSON answer written without spaces, with spaces before the colon, or with escaped quotes", () => {
    expect(extractMathAnswer('{"answer":12} and 5')).toEqual({ key: "12", display: "12" });
    expect(extractMathAnswer('{"answer" : 12} and 5')).toEqual({ key: "12", display: "12" });
    expect(extractMathAnswer('{"answer": "say \\"7\\" apples"} and 9')).toEqual({ key: "7", display: "7" });
  });

  it("reads #### and 'the answer' with no space before the number", () => {
    expect(extractMathAnswer("####42\n7")).toEqual({ key: "42", display: "42" });
    expect(extractMathAnswer("The answer:12\n9")).toEqual({ key: "12", display: "12" });
    expect(extractMathAnswer("Final answer=12\n9")).toEqual({ key: "12", display: "12" });
  });
});

describe("MATH answer text edges", () => {
  it("takes only the exact word 'answer' as a placeholder", () => {
    expect(jsonAnswerText('{"answer": "final answer"}')).toBe("final answer");
    expect(jsonAnswerText('{"answer": "answer: 5"}')).toBe("answer: 5");
  });

  it("reads 'the answer is:' and 'Answer:' with no spaces", () => {
    expect(mathAnswerText("the answer is:5")).toBe("5");
    expect(mathAnswerText("Answer:5")).toBe("5");
  });
});

describe("JSON field key edges", () => {
  it("tries at most 200 braces as the start of an object", () => {
    const output = (braces: number): string => `${"{".repeat(braces)}{"r": {"answer": 1}}`;
    expect(extractJsonFieldAnswer(output(199), "r.answer")).toEqual({ key: "1", display: "1" });
    expect(extractJsonFieldAnswer(output(200), "r.answer")).toBeNull();
  });

  it("follows a path only through own fields of objects", () => {
    expect(extractJsonFieldAnswer('{"result": null}', "result.answer")).toBeNull();
    expect(extractJsonFieldAnswer('{"r": {}}', "r.constructor.name")).toBeNull();
  });

  it("goes on to the next object after an empty value or text that is no object", () => {
    expect(extractJsonFieldAnswer('{"r": {"a": ""}} {"r": {"a": 2}}', "r.a")).toEqual({ key: "2", display: "2" });
    expect(extractJsonFieldAnswer('{oops} {"r": {"a": 2}}', "r.a")).toEqual({ key: "2", display: "2" });
    expect(extractJsonFieldAnswer("{'answer': '', 'answer': 5", "answer")).toEqual({ key: "5", display: "5" });
  });
});

describe("label key edges", () => {
  it("keys only a label equal in lower case (not one matched by Unicode case folding alone)", () => {
    expect(extractLabelAnswer("\u017f", labelPatterns(["s"]))).toBeNull();
  });
});

/** Markdown fences around each block, in order. */
const fenced = (...blocks: [lang: string, code: string][]): string =>
  blocks.map(([lang, code]) => `\`\`\`${lang}\n${code}\`\`\``).join("\n");

describe("code extraction edges (the code graders' reader)", () => {
  it("reads a fence's info line after the fence, not a line break before it, skipping tabs", () => {
    expect([...codeFences("x\n```py\ny\n```")]).toEqual([{ at: 2, lang: "py", code: "y\n" }]);
    expect([...codeFences("```\tpy\nx\n```")]).toEqual([{ at: 0, lang: "py", code: "x\n" }]);
  });

  it("reads [PYTHON] tags with or without a line break after them, closed or not", () => {
    expect(fencedBlocks("[PYTHON]x = 1[/PYTHON]")).toEqual([{ lang: "python", code: "x = 1" }]);
    expect(fencedBlocks("[PYTHON]  \nx = 1\n[/PYTHON]")).toEqual([{ lang: "python", code: "x = 1\n" }]);
    expect(fencedBlocks("[PYTHON]\nx = 1")).toEqual([{ lang: "python", code: "x = 1" }]);
  });

  it("reads unfenced code from a line that starts a definition to the first line that is no code", () => {
    expect(unfencedCode("We import math here\ndef f():\n    return 1")).toBe("def f():\n    return 1");
    expect(unfencedCode("def f():\n    return 1\nThis def ends it\nmore")).toBe("def f():\n    return 1");
    expect(unfencedCode("import math\nx=1\ntext")).toBe("import math\nx=1");
    // A line of other whitespace (a form feed, which Python allows) is blank, not the end of the code.
    expect(unfencedCode("def f():\n\f\n    return 1")).toBe("def f():\n\f\n    return 1");
  });

  it("takes python3 and py3 blocks as Python, and no other language", () => {
    expect(extractPythonCode(fenced(["python3", "print(1)\n"]))).toBe("print(1)\n");
    expect(extractPythonCode(fenced(["py3", "print(1)\n"]))).toBe("print(1)\n");
    expect(extractPythonCode(fenced(["js", "let a\n"], ["python", "print(1)\n"]))).toBe("print(1)\n");
  });

  it("finds the entry point's def on any line of a block", () => {
    const output = fenced(["python", "def g():\n    pass\n"], ["python", "import os\ndef f():\n    pass\n"]);
    expect(extractPythonCode(output, ["f"])).toBe("import os\ndef f():\n    pass\n");
  });

  it("takes a def only at the start of a line, indented or spaced as Python allows", () => {
    const def = "def  g (x):\n    return x\n";
    expect(extractPythonCode(fenced(["python", "print('def f(x)')\n"], ["python", def]))).toBe(def);
    const method = "class A:\n    def f(self):\n        pass\n";
    expect(extractPythonCode(fenced(["python", "print(1)\n"], ["python", method]))).toBe(method);
  });

  it("prepends the import lines of other blocks, however spaced, and no line that only mentions import", () => {
    const imports = "import  os\nfrom  a import b\nfrom c  import d\n# we import e later\nprint(1)\n";
    expect(extractPythonCode(fenced(["python", imports], ["python", "def f():\n    pass\n"]))).toBe(
      "import  os\nfrom  a import b\nfrom c  import d\ndef f():\n    pass\n",
    );
  });

  it("leaves assert and math out of the called functions", () => {
    expect(calledFunctionNames(["assert(foo(1) == 2)", "assert math (2) == 0"])).toEqual(["foo"]);
  });
});
