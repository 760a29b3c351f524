import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  loadGsm8k,
  loadHumanEval,
  loadMath500,
  loadMbpp,
  loadMmlu,
  parseCsv,
} from "../../src/eval/benchmarks/index.js";
import { getRecordedItems } from "../../src/replay/index.js";
import { dataDir } from "../../src/eval/data_dir.js";
import { DataFormatError, PyramidConfigError } from "../../src/errors/index.js";

describe("benchmark loaders on the real files", () => {
  it("GSM8K: 1319 test, 7473 train, gold numbers, recorded prompts reproduced", () => {
    const test = loadGsm8k();
    expect(test).toHaveLength(1319);
    expect(loadGsm8k({ split: "train" })).toHaveLength(7473);
    expect(test[0]).toMatchObject({ id: "gsm8k/test/0", gold: "18" });
    expect(test.every((x) => /^-?\d+(\.\d+)?$/.test(x.gold))).toBe(true);
    const byId = new Map(test.map((x) => [x.id, x]));
    const recorded = getRecordedItems(join(dataDir(), "recorded", "gsm8k.jsonl"));
    for (const item of recorded) {
      const b = byId.get(item.id)!;
      expect(b.question).toBe(item.question);
      expect(b.gold).toBe(item.gold);
      expect(b.messages).toEqual(item.messages);
    }
  });

  it("MATH-500: 500 problems with answers", () => {
    const items = loadMath500();
    expect(items).toHaveLength(500);
    expect(items[0]).toMatchObject({
      id: "math500/test/precalculus/807",
      gold: "\\left( 3, \\frac{\\pi}{2} \\right)",
      level: 2,
    });
    expect(new Set(items.map((x) => x.id)).size).toBe(500);
  });

  it("MMLU: 14042 test and 285 dev questions in 57 subjects", () => {
    const items = loadMmlu();
    expect(items).toHaveLength(14042);
    expect(new Set(items.map((x) => x.subject)).size).toBe(57);
    expect(loadMmlu({ split: "dev" })).toHaveLength(285);
    const first = items[0];
    expect(first.subject).toBe("abstract_algebra");
    expect(first.question).toBe("Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.");
    expect(first.choices).toEqual(["0", "4", "2", "6"]);
    expect(first.gold).toBe("B");
    expect(items.every((x) => x.choices.length === 4 && ["A", "B", "C", "D"].includes(x.gold))).toBe(true);
  });

  it("MBPP sanitized: 427 tasks; recorded tasks match", () => {
    const items = loadMbpp();
    expect(items).toHaveLength(427);
    const byId = new Map(items.map((x) => [x.id, x]));
    for (const rec of getRecordedItems(join(dataDir(), "recorded", "mbpp.jsonl"))) {
      const b = byId.get(rec.id)!;
      expect(b.gold).toEqual(rec.gold);
      expect(b.messages).toEqual(rec.messages);
    }
  });

  it("HumanEval: 164 tasks from the .jsonl.gz", () => {
    const items = loadHumanEval();
    expect(items).toHaveLength(164);
    expect(items[0]).toMatchObject({ id: "humaneval/0", taskId: "HumanEval/0" });
    expect(items[0].gold.entry_point).toBe("has_close_elements");
  });

  it("a missing folder says where to download from", () => {
    expect(() => loadGsm8k({ dir: "/nonexistent" })).toThrow(PyramidConfigError);
    expect(() => loadGsm8k({ dir: "/nonexistent" })).toThrow(/grade-school-math/);
  });
});

describe("parseCsv", () => {
  it("handles quotes, doubled quotes, commas and newlines inside fields, CRLF", () => {
    const text = 'a,b,c\r\n"x, y","say ""hi""","line1\nline2"\n1,,3\n';
    expect(parseCsv(text)).toEqual([
      ["a", "b", "c"],
      ["x, y", 'say "hi"', "line1\nline2"],
      ["1", "", "3"],
    ]);
    expect(parseCsv("a,b")).toEqual([["a", "b"]]);
    expect(parseCsv('"",x\n')).toEqual([["", "x"]]);
  });

  it("rejects an unterminated quote with its line", () => {
    expect(() => parseCsv('a\n"open,b\nc', "f.csv")).toThrow(DataFormatError);
    expect(() => parseCsv('a\n"open,b\nc', "f.csv")).toThrow(/f\.csv:2/);
  });

  it("MMLU loader rejects a row with a bad answer", () => {
    const dir = mkdtempSync(join(tmpdir(), "mmlu-"));
    mkdirSync(join(dir, "mmlu", "test"), { recursive: true });
    writeFileSync(
      join(dir, "mmlu", "test", "x_test.csv"),
      "question,choice0,choice1,choice2,choice3,answer\nq,a,b,c,d,7\n",
    );
    expect(() => loadMmlu({ dir })).toThrow(DataFormatError);
  });
});
