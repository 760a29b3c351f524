import { describe, expect, it } from "vitest";
import { lastBoxedLatex } from "../../src/answers/boxed.js";
import { extractChoiceAnswer } from "../../src/answers/extract_choice.js";
import { extractShortAnswer } from "../../src/answers/extract_short_answer.js";
import { extractTextAnswer } from "../../src/answers/extract_text.js";
import { compileRegexKey } from "../../src/answers/key_forms.js";
import { extractFunctionAnswer } from "../../src/answers/key_function.js";
import { extractRegexAnswer } from "../../src/answers/key_regex.js";
import { parseAnswerTask } from "../../src/answers/task_text.js";
import { thrownBy } from "../helpers/thrown.js";

// Edges of the answer extractors found by mutation testing (npm run mutation -- --scope answers): each case fails
// when the line it names is changed.

describe("answer extractor edges", () => {
  it("reads a JSON choice field with or without spaces, and only right after the field name", () => {
    expect(extractChoiceAnswer('{"answer":"C"}')).toEqual({ key: "C", display: "C" });
    expect(extractChoiceAnswer('"answer"x: "B"')).toBeNull();
  });

  it("reads a short answer stated with no space after the colon", () => {
    expect(extractShortAnswer("The answer is:Rome")).toEqual({ key: "rome", display: "Rome" });
  });

  it("trims a text key after its quotes are dropped", () => {
    expect(extractTextAnswer('" a "')).toEqual({ key: "a", display: '" a "' });
  });

  it("reads a whole unbraced box", () => {
    expect(lastBoxedLatex("\\boxed 12")).toBe("12");
  });

  it("trims a regex capture for display", () => {
    expect(extractRegexAnswer("R: 5 ", /R:(.*)/)).toEqual({ key: "5", display: "5" });
  });

  it("refuses an unknown task form even with labels after its colon", () => {
    expect(thrownBy(() => parseAnswerTask("foo:a,b"))).toMatchObject({ field: "--task" });
  });

  it("says how to fix a bad regex key or key function", () => {
    expect(thrownBy(() => compileRegexKey({ regex: "[" }))).toMatchObject({
      fix: 'give a JavaScript regular expression whose first group captures the answer, e.g. "Answer:\\s*(\\S+)"',
    });
    expect(thrownBy(() => extractFunctionAnswer("t", (() => 1) as never))).toMatchObject({
      fix: "return the answer's key as a string (equal strings vote together), or null for no answer",
    });
  });
});
