import { AIMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import {
  canonicalValueKey,
  extractAnswer,
  extractChoiceAnswer,
  majorityVote,
  parseAnswerTask,
  parseLooseLiteral,
  taskLabel,
} from "../../src/answers/index.js";
import type { AnswerTask } from "../../src/answers/index.js";
import { PyramidConfigError } from "../../src/errors/index.js";

const key = (text: string, task: AnswerTask, message?: AIMessage) => extractAnswer(text, task, message)?.key ?? null;

describe("JSON field key { field }", () => {
  const task = { field: "answer" };
  it("reads a fenced object with text around it", () => {
    const text =
      'Here is the solution:\n\n```json\n{\n  "reasoning": "9 x 2 = 18",\n  "answer": "18"\n}\n```\nHope it helps.';
    expect(key(text, task)).toBe("18");
  });
  it('keys numbers by value: 18, 18.0, "$18", "18.00" vote together; 1,800 is 1800', () => {
    const keys = ['{"answer": 18}', '{"answer": 18.0}', '{"answer": "$18"}', "{'answer': '18.00'}"].map((t) =>
      key(t, task),
    );
    expect(keys).toEqual(["18", "18", "18", "18"]);
    expect(key('{"answer": "$1,800"}', task)).toBe("1800");
    expect(majorityVote(keys).count).toBe(4);
  });
  it("reads single quotes and Python literals, so equal values key equal", () => {
    expect(key("{'answer': [1, 2]}", task)).toBe("[1,2]");
    expect(key('{"answer": "(1, 2)"}', task)).toBe("[1,2]");
    expect(key('{"answer": "[1,2]"}', task)).toBe("[1,2]");
    expect(key("{'answer': True}", task)).toBe("true");
    expect(key('{"answer": "true"}', task)).toBe("true");
    expect(key('{"answer": {"b": 2, "a": 1}}', task)).toBe(key("{'answer': {'a': 1, 'b': 2}}", task));
  });
  it("trims strings but keeps their case", () => {
    expect(key('{"answer": "  Paris "}', task)).toBe("Paris");
    expect(key('{"answer": "paris"}', task)).toBe("paris");
  });
  it("takes the first object that holds the field, skipping objects without it and blank values", () => {
    expect(key('{"note": 1} then {"answer": ""} then {"answer": 7} and later {"answer": 9}', task)).toBe("7");
  });
  it("reads a cut-off object's field, and a dotted path", () => {
    expect(key('{"reasoning": "long...", "answer": 42, "extra": "never closed', task)).toBe("42");
    expect(key('{"result": {"answer": "B"}}', { field: "result.answer" })).toBe("B");
    expect(key('{"result": {"other": "B"}}', { field: "result.answer" })).toBeNull();
  });
  it("gives no answer for a missing field, null/None, or no JSON at all", () => {
    expect(key('{"reasoning": "no answer"}', task)).toBeNull();
    expect(key('{"answer": null}', task)).toBeNull();
    expect(key("{'answer': None}", task)).toBeNull();
    expect(key("The answer is 18.", task)).toBeNull();
  });
  it("survives hostile input: deep nesting, many braces, __proto__ keys", () => {
    expect(key(`${"[".repeat(5000)}`, task)).toBeNull();
    expect(key(`{"answer": ${"[".repeat(100)}1${"]".repeat(100)}}`, task)).toBeNull();
    expect(key("{".repeat(20000), task)).toBeNull();
    expect(key('{"__proto__": {"answer": 1}, "answer": 2}', task)).toBe("2");
  });
});

describe("loose literals and canonical values", () => {
  it("parses JSON and Python literals and reports where they end", () => {
    expect(parseLooseLiteral("(1, 'a', None,) tail")).toEqual({ value: [1, "a", null], end: 15 });
    expect(parseLooseLiteral("nope")).toBeUndefined();
  });
  it("keys equal values equally", () => {
    expect(canonicalValueKey(0.1 + 0.2)).toBe("0.3");
    expect(canonicalValueKey(["1", 2.0])).toBe("[1,2]");
    expect(canonicalValueKey("  ")).toBeNull();
  });
});

describe("regex key { regex }", () => {
  it("keys the first capture group of the first match, canonicalized", () => {
    const task = { regex: "Final: ([^\\n]+)" };
    expect(key("Final: $1,200\nFinal: 5", task)).toBe("1200");
    expect(key("Final:  Paris  ", task)).toBe("Paris");
    expect(key("nothing here", task)).toBeNull();
  });
  it("keys the whole match without a group, and takes flags", () => {
    expect(key("ID-42 and ID-7", { regex: "ID-\\d+" })).toBe("ID-42");
    expect(key("ANSWER: yes", { regex: "answer: (\\w+)", flags: "i" })).toBe("yes");
  });
  it("refuses an invalid pattern, naming the field", () => {
    expect(() => key("x", { regex: "(" })).toThrow(PyramidConfigError);
    let thrown: unknown;
    try {
      key("x", { regex: "([" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PyramidConfigError);
    expect((thrown as PyramidConfigError).field).toBe("task.regex");
  });
});

describe("function key", () => {
  it("keys what the function returns and passes the member's message", () => {
    const seen: (AIMessage | undefined)[] = [];
    const task = (text: string, message?: AIMessage) => {
      seen.push(message);
      return text.includes("yes") ? "YES" : null;
    };
    const message = new AIMessage("yes indeed");
    expect(key("yes indeed", task, message)).toBe("YES");
    expect(key("no", task)).toBeNull();
    expect(seen[0]).toBe(message);
  });
  it("refuses a non-string key", () => {
    const bad = (() => 5) as unknown as (text: string) => string | null;
    expect(() => key("x", bad)).toThrow(/returned a number/);
  });
});

describe("choice: letters A-J and configured labels", () => {
  it("reads letters up to J", () => {
    expect(extractChoiceAnswer("The answer is (H).")?.key).toBe("H");
    expect(extractChoiceAnswer('{"answer": "J"}')?.key).toBe("J");
    expect(extractChoiceAnswer("G")?.key).toBe("G");
    expect(extractChoiceAnswer("I think it is F.")?.key).toBe("F");
    expect(extractChoiceAnswer("Between E and (I)")?.key).toBe("I");
    expect(extractChoiceAnswer("I am not sure")).toBeNull();
  });
  it("reads a configured set of labels, keyed as configured", () => {
    const task = { choice: ["Yes", "No", "Maybe"] };
    expect(key("After thinking, the answer is no.", task)).toBe("No");
    expect(key("MAYBE", task)).toBe("Maybe");
    expect(key('{"answer": "yes"}', task)).toBe("Yes");
    expect(key("Nobody knows", task)).toBeNull();
  });
});

describe("tasks as text (CLI) and labels (traces)", () => {
  it("parses json, json:field, regex:..., choice:... and the built-in kinds", () => {
    expect(parseAnswerTask("json")).toEqual({ field: "answer" });
    expect(parseAnswerTask("json:result.answer")).toEqual({ field: "result.answer" });
    expect(parseAnswerTask("regex:Answer: (\\d+)")).toEqual({ regex: "Answer: (\\d+)" });
    expect(parseAnswerTask("choice:yes,no")).toEqual({ choice: ["yes", "no"] });
    expect(parseAnswerTask("math")).toBe("math");
    expect(() => parseAnswerTask("jsonx")).toThrow(/unknown task/);
    expect(() => parseAnswerTask("regex:(")).toThrow(PyramidConfigError);
  });
  it("labels each form", () => {
    expect(taskLabel({ field: "answer" })).toBe("json:answer");
    expect(taskLabel({ regex: "a(b)", flags: "i" })).toBe("regex:a(b)/i");
    expect(taskLabel({ choice: ["x", "y"] })).toBe("choice:x,y");
    expect(
      taskLabel(function myKey() {
        return null;
      }),
    ).toBe("function:myKey");
    expect(taskLabel("text")).toBe("text");
  });
});
