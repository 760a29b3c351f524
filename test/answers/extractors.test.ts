import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dataDir } from "../../src/eval/index.js";
import { extractAnswer, extractToolCallAnswer, majorityVote, normalizeCode, normalizeNumber } from "../../src/index.js";

interface RecordedLine {
  model: string;
  output: string;
  reference: { correct: boolean; answer_number?: string | null };
}

function recorded(file: string): RecordedLine[] {
  return readFileSync(join(dataDir(), "recorded", file), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as RecordedLine);
}

describe("math extractor on the recorded GSM8K outputs", () => {
  it("agrees with the upstream answer number on at least 99% of the 9,470 lines", () => {
    const lines = recorded("gsm8k.jsonl");
    expect(lines.length).toBe(9470);
    let agree = 0;
    for (const line of lines) {
      const ours = extractAnswer(line.output, "math")?.key ?? null;
      const reference = line.reference.answer_number == null ? null : normalizeNumber(line.reference.answer_number);
      if (
        ours === reference ||
        (ours !== null && reference !== null && Math.abs(Number(ours) - Number(reference)) < 1e-4)
      ) {
        agree++;
      }
    }
    expect(agree / lines.length).toBeGreaterThanOrEqual(0.99);
  });
});

describe("answer normalization", () => {
  it("normalizes numbers as written by models", () => {
    expect(["18", "18.0", "$18", "18.00", " 18 "].map(normalizeNumber)).toEqual(["18", "18", "18", "18", "18"]);
    expect(normalizeNumber("1,800")).toBe("1800");
    expect(normalizeNumber("$1,234,567.50")).toBe("1234567.5");
    expect(normalizeNumber("-3")).toBe("-3");
    expect(normalizeNumber("2/4")).toBe("0.5");
    expect(normalizeNumber("abc")).toBeNull();
  });

  it("extracts math answers from JSON, \\boxed{}, ####, 'the answer is' and the last number", () => {
    expect(extractAnswer('{"reasoning": "3 + 4 = 7", "answer": "$1,800"}', "math")?.key).toBe("1800");
    expect(extractAnswer("so we get \\boxed{\\frac{1}{2}} no wait \\boxed{42}", "math")?.key).toBe("42");
    expect(extractAnswer("work...\n#### 72", "math")?.key).toBe("72");
    expect(extractAnswer("The answer is 18 dollars, since 9 x 2.", "math")?.key).toBe("18");
    expect(extractAnswer("First 3, then 4, finally 12", "math")?.key).toBe("12");
    expect(extractAnswer("no number here", "math")).toBeNull();
  });

  it("extracts multiple-choice letters", () => {
    expect(extractAnswer("The answer is (C).", "choice")?.key).toBe("C");
    expect(extractAnswer("Answer: b", "choice")?.key).toBe("B");
    expect(extractAnswer('{"answer": "D"}', "choice")?.key).toBe("D");
    expect(extractAnswer("A", "choice")?.key).toBe("A");
    expect(extractAnswer("I am not sure.", "choice")).toBeNull();
  });

  it("extracts and normalizes the first fenced code block", () => {
    const a =
      "Here:\n```python\ndef f(x):\n    # double it\n    return 2 * x  # result\n```\nand ```python\nother()\n```";
    const b = "```\r\ndef f(x):\r\n\r\n    return 2 * x\r\n```";
    expect(extractAnswer(a, "code")?.key).toBe("def f(x):\n    return 2 * x");
    expect(extractAnswer(a, "code")?.key).toBe(extractAnswer(b, "code")?.key);
    expect(normalizeCode('print("# not a comment")')).toBe('print("# not a comment")');
  });

  it("extracts the first code block of real recorded MBPP outputs", () => {
    const lines = recorded("mbpp.jsonl");
    const withFence = lines.filter((line) => line.output.includes("```"));
    expect(withFence.length).toBeGreaterThan(1000);
    for (const line of withFence) {
      const key = extractAnswer(line.output, "code")?.key;
      expect(key, line.output.slice(0, 200)).toBeTruthy();
      expect(key).not.toContain("```");
    }
  });

  it("normalizes free text", () => {
    expect(extractAnswer("  Paris. ", "text")?.key).toBe("paris");
    expect(extractAnswer('"PARIS"', "text")?.key).toBe(extractAnswer("paris!", "text")?.key);
  });

  it("votes tool calls by name and canonical arguments, ignoring ids and key order", () => {
    const a = extractToolCallAnswer([{ name: "f", args: { x: 1, y: { b: 2, a: 1 } }, id: "1", type: "tool_call" }]);
    const b = extractToolCallAnswer([{ name: "f", args: { y: { a: 1, b: 2 }, x: 1 }, id: "2", type: "tool_call" }]);
    const c = extractToolCallAnswer([{ name: "f", args: { x: 2, y: { a: 1, b: 2 } }, id: "3", type: "tool_call" }]);
    expect(a?.key).toBe(b?.key);
    expect(a?.key).not.toBe(c?.key);
  });
});

describe("majorityVote", () => {
  it("breaks ties by member order and ignores members without an answer", () => {
    expect(majorityVote(["x", "y", "y", "x"])).toMatchObject({ key: "x", winner: 0, count: 2, distinct: 2 });
    expect(majorityVote([null, "b", "a", "a"])).toMatchObject({ key: "a", winner: 2, count: 2, voters: 3 });
    expect(majorityVote([null, null])).toMatchObject({ key: null, winner: -1, count: 0, distinct: 0 });
    expect(majorityVote(["a", "a"]).entropy).toBe(0);
    expect(majorityVote(["a", "b"]).entropy).toBeCloseTo(Math.log(2), 12);
  });
});
