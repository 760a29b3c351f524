import { AIMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { PyramidConfigError } from "../../src/errors/index.js";
import { bracedGroup, lastBoxed, lastBoxedLatex } from "../../src/answers/boxed.js";
import { canonicalValue, canonicalValueKey } from "../../src/answers/canonical_value.js";
import { calledFunctionNames, extractPythonCode, fencedBlocks, unfencedCode } from "../../src/answers/code_extract.js";
import { extractAnswer } from "../../src/answers/extract.js";
import { extractChoiceAnswer } from "../../src/answers/extract_choice.js";
import { codeFences, extractCodeAnswer, firstCodeBlock, normalizeCode } from "../../src/answers/extract_code.js";
import { extractMathAnswer } from "../../src/answers/extract_math.js";
import { extractShortAnswer, normalizeShortAnswer } from "../../src/answers/extract_short_answer.js";
import { extractTextAnswer } from "../../src/answers/extract_text.js";
import { compileRegexKey, keyFormExtractor, keyFormOf, taskLabel } from "../../src/answers/key_forms.js";
import { extractFunctionAnswer } from "../../src/answers/key_function.js";
import { extractJsonFieldAnswer } from "../../src/answers/key_json_field.js";
import { extractLabelAnswer, labelPatterns } from "../../src/answers/key_labels.js";
import { extractRegexAnswer } from "../../src/answers/key_regex.js";
import { decodeJsonStringLoosely, jsonAnswerText, mathAnswerText } from "../../src/answers/math_answer_text.js";
import {
  findNumbers,
  firstNumber,
  formatNumber,
  fractionValue,
  normalizeNumber,
} from "../../src/answers/normalize_number.js";
import { numbersClose } from "../../src/answers/numbers_close.js";
import { extractStructuredAnswer, type StructuredAnswerSpec } from "../../src/answers/structured.js";
import { TASK_TEXT_FORMS, parseAnswerTask } from "../../src/answers/task_text.js";
import { canonicalJson, extractToolCallAnswer } from "../../src/answers/tool_calls.js";
import { majorityVote } from "../../src/answers/vote.js";
import { thrownBy } from "../helpers/thrown.js";

// Exact keys of the answer extractors on hand-written outputs: the keys are what the crowd votes on.

describe("numbers", () => {
  it("formats canonically: integers bare, at most 6 decimals (or the given), no -0", () => {
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(12)).toBe("12");
    expect(formatNumber(1 / 3)).toBe("0.333333");
    expect(formatNumber(2.5)).toBe("2.5");
    expect(formatNumber(1 / 3, 2)).toBe("0.33");
    expect(formatNumber(-0.0000001)).toBe("0");
    expect(fractionValue("3", "4")).toBe(0.75);
    expect(fractionValue("3", "0")).toBeNull();
  });

  it("normalizes one written number: fractions, $, spaces, 3-digit groups; null for anything else", () => {
    expect(normalizeNumber(" -3 / 4 ")).toBe("-0.75");
    expect(normalizeNumber("3/0")).toBeNull();
    expect(normalizeNumber("$ 1,800.00")).toBe("1800");
    expect(normalizeNumber("1,80")).toBeNull();
    expect(normalizeNumber("1,234,567")).toBe("1234567");
    expect(normalizeNumber("-.5")).toBe("-0.5");
    expect(normalizeNumber("7.")).toBe("7");
    expect(normalizeNumber("50%")).toBeNull();
    expect(normalizeNumber("1e5")).toBeNull();
    expect(normalizeNumber("")).toBeNull();
    expect(normalizeNumber("9".repeat(400))).toBeNull();
  });

  it("finds every number in order, joining digits across a comma only in 3-digit groups", () => {
    expect(findNumbers("3,4,12 and $1,800.50 then -2/3 and .25 and 7/0")).toEqual([
      { key: "3", raw: "3" },
      { key: "4", raw: "4" },
      { key: "12", raw: "12" },
      { key: "1800.5", raw: "$1,800.50" },
      { key: "-0.666667", raw: "-2/3" },
      { key: "0.25", raw: ".25" },
      { key: "7", raw: "7" },
      { key: "0", raw: "0" },
    ]);
    expect(firstNumber("no numbers")).toBeNull();
    expect(firstNumber("x = 2/4 and y = 3")).toEqual({ key: "0.5", raw: "2/4" });
    // A fraction followed by a comma is not read as one (2/4,5 is no fraction): its numerator comes first.
    expect(firstNumber("x = 2/4, y = 3")).toEqual({ key: "2", raw: "2" });
    expect(numbersClose(1e7, 1e7 + 9)).toBe(true);
    expect(numbersClose(1e7, 1e7 + 11)).toBe(false);
    expect(numbersClose(0, 1e-6)).toBe(true);
    expect(numbersClose(0, 1.1e-6)).toBe(false);
  });
});

describe("math answers (the vote's math extractor)", () => {
  it("takes the last JSON answer field that holds a number, then boxed, ####, 'the answer is', the last number", () => {
    expect(extractMathAnswer('{"answer": "$57,500 per year"} and {"answer": "none"}')).toEqual({
      key: "57500",
      display: "$57,500",
    });
    expect(extractMathAnswer('{"answer": 12} {"answer": 13}')).toEqual({ key: "13", display: "13" });
    expect(extractMathAnswer('{"answer": "x"} so \\boxed{1{,}000} or 5')).toEqual({ key: "1000", display: "1000" });
    expect(extractMathAnswer("\\boxed{3\\,000\\!} 5")).toEqual({ key: "3000", display: "3000" });
    expect(extractMathAnswer("\\boxed{x} #### 42 more 9")).toEqual({ key: "42", display: "42" });
    // A phrase runs to the end of its line: the last phrase is the last line's.
    expect(extractMathAnswer("#### none\nThe answer is 8. Final answer: 9 apples. 10")).toEqual({
      key: "8",
      display: "8",
    });
    expect(extractMathAnswer("The answer is 8.\nFinal answer: 9 apples.\n10")).toEqual({ key: "9", display: "9" });
    expect(extractMathAnswer("the answer = 4\nthe answer is: unclear\n7 then 8")).toEqual({ key: "4", display: "4" });
    expect(extractMathAnswer("3 apples and 4.50 pears")).toEqual({ key: "4.5", display: "4.50" });
    expect(extractMathAnswer("no numbers")).toBeNull();
  });
});

describe("choice letters", () => {
  it("reads JSON, boxed and stated letters (the last of the first kind found), case-insensitively", () => {
    expect(extractChoiceAnswer('{"answer": "(c) because"} and {"answer": "D"}')).toEqual({ key: "D", display: "D" });
    expect(extractChoiceAnswer("\\boxed{(b)} then \\boxed{E}")).toEqual({ key: "E", display: "E" });
    expect(extractChoiceAnswer("The answer is (J).")).toEqual({ key: "J", display: "J" });
    expect(extractChoiceAnswer("Option: **c**")).toEqual({ key: "C", display: "c" });
    expect(extractChoiceAnswer("choice is a")).toEqual({ key: "A", display: "a" });
    // A letter followed by a letter is a word, not a choice.
    expect(extractChoiceAnswer("the answer is Because")).toBeNull();
  });

  it("reads a bare letter, else the last standalone letter (a bare I only as (I) or I))", () => {
    expect(extractChoiceAnswer("  (f).  ")).toEqual({ key: "F", display: "f" });
    expect(extractChoiceAnswer("g:")).toEqual({ key: "G", display: "g" });
    expect(extractChoiceAnswer("Between B, and C) I think")).toEqual({ key: "C", display: "C" });
    expect(extractChoiceAnswer("I think (I) fits")).toEqual({ key: "I", display: "I" });
    expect(extractChoiceAnswer("I think I)")).toEqual({ key: "I", display: "I" });
    expect(extractChoiceAnswer("I think so")).toBeNull();
    expect(extractChoiceAnswer("B.")).toEqual({ key: "B", display: "B" });
    expect(extractChoiceAnswer("K")).toBeNull();
  });
});

describe("code answers", () => {
  it("reads fences: language word in lower case, an unclosed last fence to the end, no block without a line break", () => {
    expect([...codeFences("a ```  Python3 extra\nx = 1\n``` b ```js\ny\n``` ```tail")]).toEqual([
      { at: 2, lang: "python3", code: "x = 1\n" },
      { at: 33, lang: "js", code: "y\n" },
    ]);
    expect([...codeFences("```c++\nint x;")]).toEqual([{ at: 0, lang: "c++", code: "int x;" }]);
    expect([...codeFences("```\t\nraw\n```")]).toEqual([{ at: 0, lang: "", code: "raw\n" }]);
    expect(firstCodeBlock("no fence")).toBeNull();
    expect(firstCodeBlock("```\n```")).toBe("");
  });

  it("normalizes code: comment lines and trailing comments dropped (not inside strings), blank lines, CRLF", () => {
    expect(
      normalizeCode(
        "# header\r\nx = 1  # set x\r\n\r\n  // js comment\ny = '#not a comment'\nz = 2 // half\nurl = 'a' # c \nw = 3#tight   \n",
      ),
    ).toBe("x = 1\ny = '#not a comment'\nz = 2\nurl = 'a'\nw = 3#tight");
    expect(normalizeCode("a\rb")).toBe("a\nb");
    expect(extractCodeAnswer("```python\nx = 1 # c\n```")).toEqual({ key: "x = 1", display: "x = 1 # c\n" });
    expect(extractCodeAnswer("print(1)")).toEqual({ key: "print(1)", display: "print(1)" });
    expect(extractCodeAnswer("```\n# only a comment\n```")).toBeNull();
  });

  it("picks the Python block of the graders: the entry point's, else any function's, else the first; imports kept", () => {
    const text =
      "```js\nfunction f() {}\n```\n```py\nprint(run(2))\n```\n[PYTHON]\r\nimport os\r\n[/PYTHON]\n```python\nfrom a.b import c\ndef helper(x):\n    return x\n```\n```\ndef run(x):\n    return helper(x)\n```";
    expect(fencedBlocks(text).map((b) => b.lang)).toEqual(["js", "py", "python", "python", ""]);
    expect(extractPythonCode(text, ["run"])).toBe("import os\nfrom a.b import c\ndef run(x):\n    return helper(x)\n");
    expect(extractPythonCode(text)).toBe("import os\nfrom a.b import c\ndef helper(x):\n    return x\n");
    expect(extractPythonCode("```python\nx = 1\n```\n```python\ny = 2\n```")).toBe("x = 1\n");
    expect(extractPythonCode("Here:\ndef f(a):\n    return a\nprint(f(1))")).toBe("def f(a):\n    return a");
  });

  it("reads unfenced code from the first definition or import to the last line that belongs to it", () => {
    expect(
      unfencedCode(
        "Sure.\r\n@cache\r\ndef f(n):\r\n\r\n    return n\nx = f(2)\nclass A:\n\tpass\nDone: all.\ndef g(): pass",
      ),
    ).toBe("@cache\ndef f(n):\n\n    return n\nx = f(2)\nclass A:\n\tpass");
    expect(unfencedCode("from os import path\nimport re\ny == 2")).toBe("from os import path\nimport re");
    expect(unfencedCode("no code here\r\nat all")).toBe("no code here\nat all");
  });

  it("names the functions MBPP asserts call, in order, once each", () => {
    expect(calledFunctionNames(["assert f(g(1)) == f(2)", "assert h (3)"])).toEqual(["f", "g", "h"]);
  });
});

describe("text and short answers", () => {
  it("keys free text: NFKC, lower case, whitespace collapsed, leading quotes and trailing punctuation dropped", () => {
    expect(extractTextAnswer(' "`Hello\n  WORLD`"!?;:,. ')).toEqual({
      key: "hello world",
      display: '"`Hello\n  WORLD`"!?;:,.',
    });
    expect(extractTextAnswer("ｆｕｌｌ width")?.key).toBe("full width");
    expect(extractTextAnswer("'a...'")).toEqual({ key: "a", display: "'a...'" });
    expect(extractTextAnswer("'...'")).toBeNull();
    expect(extractTextAnswer(" \"'!")).toBeNull();
  });

  it("keys short answers the SQuAD way from the JSON field, the last 'answer is', or the first line", () => {
    expect(normalizeShortAnswer("The  Eiffel-Tower, an icon!")).toBe("eiffel tower icon");
    expect(extractShortAnswer('{"answer": " Paris "}')).toEqual({ key: "paris", display: "Paris" });
    expect(extractShortAnswer("I think.\nThe answer is: Rome\nFinal answer: :  Milan  ")).toEqual({
      key: "milan",
      display: "Milan",
    });
    expect(extractShortAnswer("  answer : Oslo\nmore")).toEqual({ key: "oslo", display: "Oslo" });
    expect(extractShortAnswer("my answer: Bern")).toEqual({ key: "my answer bern", display: "my answer: Bern" });
    expect(extractShortAnswer("\n  \nLisbon, Portugal\nsecond")).toEqual({
      key: "lisbon portugal",
      display: "Lisbon, Portugal",
    });
    expect(extractShortAnswer("The.")).toBeNull();
    expect(extractShortAnswer("")).toBeNull();
  });
});

describe("MATH answer text", () => {
  it("decodes JSON strings loosely: LaTeX backslashes kept", () => {
    expect(decodeJsonStringLoosely('a\\\\b \\"q\\" \\/ \\u00e9 x\\n1 y\\ny\\t1\\r \\frac \\theta \\nabla \\r')).toBe(
      'a\\b "q" / é x\n1 y\\ny\t1\r \\frac \\theta \\nabla \r',
    );
  });

  it("reads the first non-placeholder answer field, its boxed content, then boxed, 'answer is', the last $...$", () => {
    expect(jsonAnswerText('{"answer": "___"} {"answer": "Answer"} {"answer": " . "} {"answer": "7"}')).toBe("7");
    expect(jsonAnswerText('{"answer": -1.5}')).toBe("-1.5");
    expect(jsonAnswerText('{"answer": ""}')).toBeNull();
    expect(mathAnswerText('{"answer": "so \\\\boxed{12}"}')).toBe("12");
    expect(mathAnswerText('{"answer": "\\frac{1}{2}"}')).toBe("\\frac{1}{2}");
    expect(mathAnswerText("\\boxed{1} then \\fbox{2}")).toBe("2");
    expect(mathAnswerText("The answer is $\\frac{3}{4}$.\nFinal answer: 5 .  ")).toBe("5");
    expect(mathAnswerText("  Answer: x+1\nok")).toBe("x+1");
    expect(mathAnswerText("we get $x$ and $y=2$ so")).toBe("y=2");
    expect(mathAnswerText("nothing")).toBeNull();
  });

  it("reads boxes with nested braces, spaces before the brace, or no brace", () => {
    expect(bracedGroup("a{b{c}d}e", 1)).toBe("b{c}d");
    expect(bracedGroup("a{b", 1)).toBeNull();
    expect(bracedGroup("ab", 1)).toBeNull();
    expect(lastBoxed("\\boxed{1} \\boxed{{2}}")).toBe("{2}");
    expect(lastBoxed("\\boxed 5")).toBeNull();
    expect(lastBoxedLatex("\\boxed  {7}")).toBe("7");
    expect(lastBoxedLatex("\\boxed 5$ and")).toBe("5");
    expect(lastBoxedLatex("\\fbox{8} then \\boxed{9}")).toBe("9");
    expect(lastBoxedLatex("\\boxed")).toBeNull();
    expect(lastBoxedLatex("plain")).toBeNull();
  });
});

describe("canonical values", () => {
  it("makes every equal-meaning spelling one value, inside arrays and objects", () => {
    expect(canonicalValue(18.0)).toBe(18);
    expect(canonicalValue(1 / 3)).toBe(0.333333);
    expect(canonicalValue(Number.NaN)).toBe("NaN");
    expect(canonicalValue(" $1,800 ")).toBe(1800);
    expect(canonicalValue("(1, 2)")).toEqual([1, 2]);
    expect(canonicalValue("[1, 2] and more")).toBe("[1, 2] and more");
    expect(canonicalValue("True")).toBe(true);
    expect(canonicalValue("None")).toBeNull();
    expect(canonicalValue("Trueish")).toBe("Trueish");
    expect(canonicalValue({ b: " 2 ", a: ["3"] })).toEqual({ b: 2, a: [3] });
    expect(canonicalValue(undefined)).toBeNull();
    expect(canonicalValue(false)).toBe(false);
  });

  it("keys values: numbers by digits, strings trimmed, others as canonical JSON; null for no answer", () => {
    expect(canonicalValueKey("  Paris ")).toBe("Paris");
    expect(canonicalValueKey(2.5)).toBe("2.5");
    expect(canonicalValueKey({ b: 1, a: "2" })).toBe('{"a":2,"b":1}');
    expect(canonicalValueKey("   ")).toBeNull();
    expect(canonicalValueKey(null)).toBeNull();
    expect(canonicalValueKey("None")).toBeNull();
    expect(canonicalJson([{ b: undefined, a: 1 }, "x", null])).toBe('[{"a":1},"x",null]');
    expect(canonicalJson(undefined)).toBe("null");
  });
});

describe("user-defined keys", () => {
  it("reads JSON fields: nested paths, the first object with a value, cut-off objects, any quotes", () => {
    expect(extractJsonFieldAnswer('{"answer": ""} then {"answer": "B"}', "answer")).toEqual({ key: "B", display: "B" });
    expect(extractJsonFieldAnswer("{'result': {'answer': 4.0}}", "result.answer")).toEqual({ key: "4", display: "4" });
    expect(extractJsonFieldAnswer('{"result": {"other": 1}}', "result.answer")).toBeNull();
    expect(extractJsonFieldAnswer('{"result": 5}', "result.answer")).toBeNull();
    expect(extractJsonFieldAnswer('cut off: {"answer": [1, 2], "reasoning": "...', "answer")).toEqual({
      key: "[1,2]",
      display: "[1,2]",
    });
    expect(extractJsonFieldAnswer("{'a.b': 1, ", "a.b")).toBeNull();
    expect(extractJsonFieldAnswer("{'a+b': 3, ", "a+b")).toEqual({ key: "3", display: "3" });
    expect(extractJsonFieldAnswer("no object", "answer")).toBeNull();
    expect(extractJsonFieldAnswer('{"answer": {"x": null}}', "answer")).toEqual({
      key: '{"x":null}',
      display: '{"x":null}',
    });
  });

  it("reads labels: stated, bare, or the last standalone word; the longest label first; keyed as configured", () => {
    const patterns = labelPatterns(["yes", "no", "maybe", "no way"]);
    expect(extractLabelAnswer('{"answer": "No way"}', patterns)).toEqual({ key: "no way", display: "No way" });
    expect(extractLabelAnswer("\\boxed{YES}", patterns)).toEqual({ key: "yes", display: "YES" });
    expect(extractLabelAnswer("the label: **(maybe)", patterns)).toEqual({ key: "maybe", display: "maybe" });
    expect(extractLabelAnswer("  (No).  ", patterns)).toEqual({ key: "no", display: "No" });
    expect(extractLabelAnswer("yes or no? maybe, I'd say", patterns)).toEqual({ key: "maybe", display: "maybe" });
    expect(extractLabelAnswer("nobody knows, yesterday", patterns)).toBeNull();
    expect(extractLabelAnswer("C++ it is", labelPatterns(["C++", "C"]))).toEqual({ key: "C++", display: "C++" });
  });

  it("reads a regex's first group (or the whole match), canonicalized", () => {
    expect(extractRegexAnswer("Result: 1,000.0 units", /Result:\s*([\d,.]+)/)).toEqual({
      key: "1000",
      display: "1,000.0",
    });
    expect(extractRegexAnswer("id-42", /\d+/)).toEqual({ key: "42", display: "42" });
    expect(extractRegexAnswer("x", /(y)?x/)).toBeNull();
    expect(extractRegexAnswer("Result:   ", /Result:(\s*)/)).toBeNull();
    expect(extractRegexAnswer("nothing", /Result/)).toBeNull();
  });

  it("takes a key function's string as the key, null or blank as no answer, and refuses other values", () => {
    const message = new AIMessage("m");
    expect(extractFunctionAnswer("t", (text, m) => `${text}:${m?.content}`, message)).toEqual({
      key: "t:m",
      display: "t:m",
    });
    expect(extractFunctionAnswer("t", () => null)).toBeNull();
    expect(extractFunctionAnswer("t", () => " ")).toBeNull();
    expect(extractFunctionAnswer("t", (() => undefined) as never)).toBeNull();
    const error = thrownBy(() => extractFunctionAnswer("t", (() => 5) as never));
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect(error).toMatchObject({
      field: "task",
      message: expect.stringContaining("returned a number, not a string or null"),
    });
  });

  it("compiles each key form once, with its label; invalid regexes name task.regex", () => {
    const field = { field: "answer" };
    expect(keyFormOf(field)).toBe("field");
    expect(keyFormOf({ regex: "x" })).toBe("regex");
    expect(keyFormOf({ choice: ["a"] })).toBe("choice");
    expect(keyFormOf(() => null)).toBe("function");
    expect(keyFormExtractor(field)).toBe(keyFormExtractor(field));
    expect(keyFormExtractor({ regex: "n=(\\d+)", flags: "gi" })("N=7 n=8")).toEqual({ key: "7", display: "7" });
    expect(keyFormExtractor({ choice: ["up", "down"] })("Down")).toEqual({ key: "down", display: "Down" });
    expect(extractAnswer("x", (text) => text.toUpperCase())).toEqual({ key: "X", display: "X" });
    expect(extractAnswer('{"answer": 3}', { field: "answer" })).toEqual({ key: "3", display: "3" });
    expect(compileRegexKey({ regex: "a", flags: "gyim" }).flags).toBe("im");
    expect(thrownBy(() => compileRegexKey({ regex: "(" }))).toMatchObject({
      field: "task.regex",
      message: expect.stringContaining("invalid regular expression: "),
    });
    expect(taskLabel("math")).toBe("math");
    expect(taskLabel({ field: "result.answer" })).toBe("json:result.answer");
    expect(taskLabel({ regex: "a(b)" })).toBe("regex:a(b)");
    expect(taskLabel({ regex: "a", flags: "i" })).toBe("regex:a/i");
    expect(taskLabel({ choice: ["yes", "no"] })).toBe("choice:yes,no");
    expect(
      taskLabel(function namedKey() {
        return null;
      }),
    ).toBe("function:namedKey");
    expect(taskLabel(Object.defineProperty(() => null, "name", { value: "" }))).toBe("function:anonymous");
  });

  it("parses tasks written on the command line, naming the field on error", () => {
    expect(parseAnswerTask("short-answer")).toBe("short-answer");
    expect(parseAnswerTask("json")).toEqual({ field: "answer" });
    expect(parseAnswerTask("json: result.value ")).toEqual({ field: "result.value" });
    expect(parseAnswerTask("regex:a:(\\d)")).toEqual({ regex: "a:(\\d)" });
    expect(parseAnswerTask("choice: yes, ,no ")).toEqual({ choice: ["yes", "no"] });
    for (const bad of ["json: ", "regex:", "choice:yes", "choice:", "maths", "regex"]) {
      expect(
        thrownBy(() => parseAnswerTask(bad, "--crowd-task")),
        bad,
      ).toMatchObject({
        field: "--crowd-task",
        fix: `use one of ${TASK_TEXT_FORMS}`,
      });
    }
    expect(TASK_TEXT_FORMS).toBe(
      "math, math-latex, choice, code, text, short-answer, json[:<field>], regex:<pattern>, choice:<label,label,...>",
    );
    expect(thrownBy(() => parseAnswerTask("regex:("))).toMatchObject({ field: "task.regex" });
    expect(thrownBy(() => parseAnswerTask("nope"))).toMatchObject({
      field: "--task",
      message: expect.stringContaining('unknown task "nope"'),
    });
  });
});

describe("tool calls, structured answers and the vote", () => {
  it("keys tool calls by name and canonical arguments, in call order", () => {
    expect(extractToolCallAnswer([])).toBeNull();
    expect(
      extractToolCallAnswer([
        { name: "get", args: { b: 2, a: 1 }, id: "1" },
        { name: "put", args: {}, id: "2" },
      ]),
    ).toEqual({
      key: 'tool_calls:[{"args":{"a":1,"b":2},"name":"get"},{"args":{},"name":"put"}]',
      display: 'get({"a":1,"b":2}); put({})',
    });
  });

  it("keys a structured answer by its validated canonical object, or says why there is none", () => {
    const spec = (method: StructuredAnswerSpec["method"]): StructuredAnswerSpec => ({
      method,
      name: "Person",
      validate: (value) => {
        const v = value as { name?: unknown };
        if (typeof v.name !== "string") throw new Error("name: expected a string\nmore lines");
        return { name: v.name.trim(), ...(value as object) };
      },
    });
    const call = new AIMessage({
      content: "",
      tool_calls: [
        { name: "Other", args: {} },
        { name: "Person", args: { b: 1, name: "Al" } },
      ],
    });
    expect(extractStructuredAnswer(call, spec("functionCalling"))).toEqual({
      answer: { key: 'object:{"b":1,"name":"Al"}', display: '{"b":1,"name":"Al"}' },
    });
    expect(extractStructuredAnswer(new AIMessage("x"), spec("functionCalling"))).toEqual({
      invalid: 'no call of the tool "Person"',
    });
    expect(extractStructuredAnswer(new AIMessage('```json\n{"name": "Bo"}\n```'), spec("jsonMode"))).toEqual({
      answer: { key: 'object:{"name":"Bo"}', display: '{"name":"Bo"}' },
    });
    expect(extractStructuredAnswer(new AIMessage('{"name": 3}'), spec("jsonSchema"))).toEqual({
      invalid: 'the object does not match the schema "Person": name: expected a string',
    });
    expect(extractStructuredAnswer(new AIMessage("not json"), spec("jsonMode"))).toEqual({
      invalid: "the text is not a JSON object",
    });
    expect(extractStructuredAnswer(new AIMessage("null"), spec("jsonMode"))).toEqual({
      invalid: "the text is not a JSON object",
    });
    expect(extractStructuredAnswer(new AIMessage("5"), spec("jsonMode"))).toEqual({
      invalid: "the text is not a JSON object",
    });
    const throwsString = {
      ...spec("jsonMode"),
      validate: () => {
        throw "plain";
      },
    };
    expect(extractStructuredAnswer(new AIMessage("{}"), throwsString)).toEqual({
      invalid: 'the object does not match the schema "Person": plain',
    });
  });

  it("votes by majority, ties to the earliest cluster, with the entropy in nats", () => {
    expect(majorityVote(["b", "a", null, "a", "b", "c"])).toEqual({
      key: "b",
      winner: 0,
      count: 2,
      voters: 5,
      distinct: 3,
      entropy: -(2 * 0.4 * Math.log(0.4) + 0.2 * Math.log(0.2)),
    });
    expect(majorityVote([null, "x", "y", "y"])).toMatchObject({ key: "y", winner: 2, count: 2 });
    const unanimous = majorityVote(["x", "x"]);
    expect(Object.is(unanimous.entropy, 0)).toBe(true);
    expect(majorityVote([null, null])).toEqual({ key: null, winner: -1, count: 0, voters: 0, distinct: 0, entropy: 0 });
  });
});
