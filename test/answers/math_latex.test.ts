import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { extractAnswer, majorityVote } from "../../src/index.js";
import { gradeMath } from "../../src/eval/index.js";
import { mathAnswerKey } from "../../src/answers/index.js";
import { mathAnswersEqual } from "../../src/eval/index.js";
import { RecordedOutputs } from "../../src/replay/index.js";
import { dataDir } from "../../src/eval/data_dir.js";

// Through dataDir() ($PYRAMID_DATA_DIR), so that the test also runs from a copy of the repository (mutation runs).
const RECORDED = join(dataDir(), "recorded", "math-l5.jsonl");
const CASES = new URL("../fixtures/math/math_l5_cases.json", import.meta.url).pathname;

const json = (answer: string): string => `\`\`\`json\n{\n  "reasoning": "...",\n  "answer": "${answer}"\n}\n\`\`\``;
const key = (output: string): string | null => extractAnswer(output, "math-latex")?.key ?? null;

describe("math-latex vote key", () => {
  it("gives equivalent answers one key", () => {
    const groups: string[][] = [
      ["\\frac{3}{4}", "\\dfrac34", "3/4", "0.75", "\\boxed{\\frac{3}{4}}", "$\\frac{3}{4}$"],
      ["2\\sqrt{5}", "\\sqrt{20}", "2√5", "2*sqrt(5)"],
      ["(1,-2)", "\\left( 1, -2 \\right)", "(1, −2)"],
      ["1, -2", "-2, 1", "x = 1, -2".replace("x = ", "")],
      ["[2,5)", "\\left[2, 5\\right)"],
      ["\\frac{\\pi}{2}", "\\pi/2", "π/2"],
      ["10000", "10,000", "10{,}000", "\\$10,000", "10000 dollars"],
      ["30^\\circ", "30^{\\circ}", "30°", "30 degrees"],
      ["5.4 \\text{ cents}", "5.4"],
      ["\\text{Evelyn}", "Evelyn", "evelyn"],
      ["\\text{(C)}", "(C)", "C"],
      ["x = 5", "5", "a + b = 2 + 3 = 5"],
      ["1\\frac{4}{5}", "\\frac{9}{5}", "1.8"],
      ["b^5 + b^2", "b^2+b^5", "b^2(b^3+1)"],
      ["100100_b", "100100"],
      ["\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}", "\\begin{pmatrix}1\\\\2\\end{pmatrix}"],
      ["2^{10}", "1024"],
    ];
    for (const group of groups) {
      const keys = group.map((answer) => key(json(answer.replace(/\\/g, "\\\\"))));
      expect(new Set(keys).size, `${group.join(" | ")} -> ${keys.join(" | ")}`).toBe(1);
      expect(keys[0]).not.toBeNull();
      for (const other of group) expect(mathAnswersEqual(other, group[0]), `${other} vs ${group[0]}`).toBe(true);
    }
  });

  it("keeps different answers apart", () => {
    const pairs: [string, string][] = [
      ["(1,2]", "(1,2)"],
      ["(1,2)", "(2,1)"],
      ["\\frac{1}{3}", "0.33"],
      ["-4, -5", "-4"],
      ["x^5 + 7x^4 - 2 = 0", "0"],
      ["east", "teas"],
      ["7^7", "117649"],
      ["2\\frac{\\pi}{3}", "2"],
    ];
    for (const [a, b] of pairs) {
      expect(mathAnswerKey(a), `${a} vs ${b}`).not.toBe(mathAnswerKey(b));
      expect(mathAnswersEqual(a, b), `${a} vs ${b}`).toBe(false);
    }
  });

  it("reads LaTeX written unescaped inside the JSON answer (\\f, \\t, \\r are not JSON escapes there)", () => {
    const output = '{"reasoning": "so", "answer": "\\frac{\\sqrt{3}}{2}"}';
    expect(extractAnswer(output, "math-latex")?.display).toBe("\\frac{\\sqrt{3}}{2}");
    expect(key(output)).toBe(key(json("\\\\frac{\\\\sqrt{3}}{2}")));
    expect(key('{"answer": "\\text{even}"}')).toBe("even");
    expect(key('{"answer": "\\theta = 2"}')).toBe("2");
  });

  it("skips the template's placeholder answer and falls back to \\boxed{} and the last number", () => {
    expect(key('Template: {"answer": "___"} ... so \\boxed{\\frac{1}{2}}')).toBe("0.5");
    expect(key("I think it is 12 or maybe 13")).toBe("13");
    expect(extractAnswer("", "math-latex")).toBeNull();
  });

  it("lets equivalent LaTeX answers of real members vote together", () => {
    const votes = ["\\frac{1}{2}", "0.5", "1/2"].map((answer) => key(json(answer.replace(/\\/g, "\\\\"))));
    expect(majorityVote(votes).count).toBe(3);
  });
});

describe("gradeMath on recorded MATH level-5 outputs", () => {
  it("matches every hand-checked verdict of the case table (JSON answers, boxed, lists, radicals, text, ...)", () => {
    const store = RecordedOutputs.load(RECORDED);
    const cases = (
      JSON.parse(readFileSync(CASES, "utf8")) as { cases: { id: string; model: string; expected: boolean }[] }
    ).cases;
    expect(cases.length).toBeGreaterThanOrEqual(40);
    expect(new Set(cases.map((c) => c.expected)).size).toBe(2);
    const mismatches = cases.filter((c) => {
      const line = store.lines.find((l) => l.id === c.id && l.model === c.model);
      if (!line) return true;
      return gradeMath(line.output, String(line.gold)).correct !== c.expected;
    });
    expect(mismatches).toEqual([]);
  });

  it("reads the JSON answer field before any \\boxed{} in the reasoning", () => {
    const output = '{"reasoning": "first guess \\\\boxed{7}, then fixed", "answer": "\\\\frac{9}{3}"}';
    expect(gradeMath(output, "3")).toEqual({ correct: true, answer: "\\frac{9}{3}" });
    expect(gradeMath(output, "7").correct).toBe(false);
  });
});
