import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { ToolCall } from "@langchain/core/messages/tool";
import {
  TASK_KINDS,
  extractAnswer,
  extractToolCallAnswer,
  normalizeNumber,
  normalizeCode,
  firstCodeBlock,
} from "../../src/answers/index.js";
import { computeFeatures, featureNames } from "../../src/features/index.js";
import type { Candidate } from "../../src/core/types.js";

/** Text from every unit fast-check has: ASCII, full Unicode code points (lone surrogates included), graphemes. */
const anyText = fc.oneof(
  fc.string({ unit: "binary", maxLength: 400 }),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ maxLength: 400 }),
);

/** Fragments that answer extractors look for, mixed into random text. */
const FRAGMENTS = [
  "answer",
  "Answer: ",
  "the answer is ",
  "final answer",
  "option",
  "choice",
  " is ",
  ":",
  "=",
  "####",
  "\\boxed{",
  "}",
  "{",
  '"answer": "',
  '"',
  "'",
  "`",
  "```",
  "```python\n",
  "\n",
  "\r\n",
  " ",
  "\t",
  "#",
  "//",
  "(",
  ")",
  "*",
  "A",
  "B",
  "c",
  "D",
  "E",
  "$",
  "-",
  ".",
  ",",
  "1",
  "42",
  "1,000",
  "3/4",
  "0.5",
  "1/0",
  "%",
  "confidence: ",
  "\u2028",
  "\u00a0",
  "\u{1F600}",
  "é",
  "ﬁ",
  "\ud800",
];
const fragmentText = fc
  .array(fc.oneof(fc.constantFrom(...FRAGMENTS), anyText), { maxLength: 40 })
  .map((parts) => parts.join(""));

/** Long runs of one fragment (the shape that makes backtracking regexes blow up), 100k-400k characters. */
const hugeRun = fc
  .tuple(
    fc.array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 3 }),
    fc.integer({ min: 100_000, max: 400_000 }),
    fc.constantFrom("", "x", "\n", "B"),
  )
  .map(([unit, length, end]) => {
    const piece = unit.join("");
    return piece.repeat(Math.ceil(length / piece.length)) + end;
  });

const MB = 1_000_000;
/** Deterministic adversarial 1 MB inputs: each is a known worst case for some naive pattern. */
const ADVERSARIAL: Record<string, string> = {
  "spaces then x": `${" ".repeat(MB)}x`,
  "answer then spaces": `answer${" ".repeat(MB)}`,
  "answer is then newlines": `answer is${"\n".repeat(MB)}`,
  "digits then x": `${"1".repeat(MB)}x`,
  "dots then x": `${".".repeat(MB)}x`,
  "backticks without newline": "`".repeat(MB),
  "fence then a long word": `\`\`\`${"a".repeat(MB)}`,
  "space-hash pairs": " #".repeat(MB / 2),
  "quote-hash pairs": "' #".repeat(MB / 3),
  "code block of spaces": `\`\`\`\n${" ".repeat(MB)}x\n\`\`\``,
  "dollars then x": `${"$".repeat(MB)}x`,
  "thousands groups": `${"1,".repeat(MB / 2)}x`,
  "unclosed boxes": "\\boxed{".repeat(MB / 7),
  "json answer of backslashes": `"answer": "${"\\".repeat(MB)}`,
  "many numbers": "12.5 ".repeat(MB / 5),
  unicode: "\u{1F600}é\u0301ﬁ".repeat(MB / 6),
};

function assertExtracted(result: ReturnType<typeof extractAnswer>): void {
  if (result === null) return;
  expect(typeof result.key).toBe("string");
  expect(result.key.length).toBeGreaterThan(0);
  expect(typeof result.display).toBe("string");
}

describe("answer extractors: arbitrary text never throws", () => {
  it("extractAnswer returns null or a non-empty key for every task kind", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fragmentText), fc.constantFrom(...TASK_KINDS), (text, task) => {
        assertExtracted(extractAnswer(text, task));
      }),
      { numRuns: 1500 },
    );
  });

  it("math keys are normalized numbers (idempotent when finite and not exponent-formatted)", () => {
    fc.assert(
      fc.property(fragmentText, (text) => {
        const key = extractAnswer(text, "math")?.key;
        if (key === undefined) return;
        expect(Number.isFinite(Number(key))).toBe(true);
        if (!/e/i.test(key)) expect(normalizeNumber(key)).toBe(key);
      }),
      { numRuns: 1000 },
    );
  });

  it("choice keys are a single upper-case letter A-J", () => {
    fc.assert(
      fc.property(fragmentText, (text) => {
        const key = extractAnswer(text, "choice")?.key;
        if (key !== undefined) expect(key).toMatch(/^[A-J]$/);
      }),
      { numRuns: 1000 },
    );
  });

  it("code keys are stable under re-normalization; text keys are trimmed with collapsed whitespace", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fragmentText), (text) => {
        const code = normalizeCode(text);
        expect(normalizeCode(code)).toBe(code);
        const key = extractAnswer(text, "text")?.key;
        if (key !== undefined) {
          expect(key).toBe(key.trim());
          expect(key).not.toMatch(/\s\s/);
        }
        const block = firstCodeBlock(text);
        if (block !== null) expect(text.includes(block)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("normalizeNumber", () => {
  it("returns null or a finite number's canonical form on arbitrary text", () => {
    fc.assert(
      fc.property(fc.oneof(anyText, fragmentText), (text) => {
        const key = normalizeNumber(text);
        if (key !== null) expect(Number.isFinite(Number(key))).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });

  it("writes one integer the same way whatever its formatting ($, thousands separators, trailing zeros)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e12, max: 1e12 }), (n) => {
        const canonical = String(n);
        const grouped = Math.abs(n).toLocaleString("en-US");
        const sign = n < 0 ? "-" : "";
        for (const written of [
          canonical,
          `${canonical}.00`,
          `${sign}$${grouped}`,
          `${sign}${grouped}.0`,
          ` ${canonical} `,
        ]) {
          expect(normalizeNumber(written)).toBe(canonical);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("agrees with Number() on plain decimals", () => {
    fc.assert(
      fc.property(fc.double({ min: -1e9, max: 1e9, noNaN: true }), (value) => {
        const written = value.toFixed(3);
        expect(Number(normalizeNumber(written))).toBeCloseTo(Number(written), 6);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("tool-call keys", () => {
  const callArb = fc.record({
    name: fc.string({ minLength: 1, maxLength: 12 }),
    args: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }),
    id: fc.option(fc.string({ maxLength: 8 }), { nil: undefined }),
  });

  function shuffleKeys(value: unknown, seed: number): unknown {
    if (Array.isArray(value)) return value.map((v) => shuffleKeys(v, seed + 1));
    if (value !== null && typeof value === "object") {
      const entries = Object.entries(value as Record<string, unknown>);
      const rotated = entries
        .slice(seed % Math.max(1, entries.length))
        .concat(entries.slice(0, seed % Math.max(1, entries.length)));
      return Object.fromEntries(rotated.reverse().map(([k, v]) => [k, shuffleKeys(v, seed + 1)]));
    }
    return value;
  }

  it("ignore argument key order and call ids, and distinguish names and argument values", () => {
    fc.assert(
      fc.property(fc.array(callArb, { minLength: 1, maxLength: 4 }), fc.nat(), (calls, seed) => {
        const a = extractToolCallAnswer(calls as ToolCall[]);
        const reordered = calls.map((call) => ({
          ...call,
          id: `other-${seed}`,
          args: shuffleKeys(call.args, seed) as Record<string, unknown>,
        }));
        const b = extractToolCallAnswer(reordered as ToolCall[]);
        expect(a).not.toBeNull();
        expect(b?.key).toBe(a?.key);
        const renamed = calls.map((call, i) => (i === 0 ? { ...call, name: `${call.name}_x` } : call));
        expect(extractToolCallAnswer(renamed as ToolCall[])?.key).not.toBe(a?.key);
        const changed = calls.map((call, i) => (i === 0 ? { ...call, args: { ...call.args, __extra__: seed } } : call));
        expect(extractToolCallAnswer(changed as ToolCall[])?.key).not.toBe(a?.key);
      }),
      { numRuns: 300 },
    );
  });

  it("an empty list of tool calls has no key", () => {
    expect(extractToolCallAnswer([])).toBeNull();
  });
});

describe("huge inputs: no extractor backtracks catastrophically", () => {
  // A polynomial-backtracking pattern takes hours on these inputs; a linear one takes well under a second.
  // The per-test limit below only turns such a hang into a failure (it is not a speed assertion).
  for (const [name, text] of Object.entries(ADVERSARIAL)) {
    it(`1 MB: ${name}`, { timeout: 30_000 }, () => {
      for (const task of TASK_KINDS) assertExtracted(extractAnswer(text, task));
      const key = normalizeNumber(text);
      if (key !== null) expect(Number.isFinite(Number(key))).toBe(true);
      normalizeCode(text);
    });
  }

  it("random long runs of answer fragments", { timeout: 60_000 }, () => {
    fc.assert(
      fc.property(hugeRun, fc.constantFrom(...TASK_KINDS), (text, task) => {
        assertExtracted(extractAnswer(text, task));
        normalizeNumber(text);
      }),
      { numRuns: 24 },
    );
  });
});

function candidate(fields: Partial<Candidate> & { index: number }): Candidate {
  return {
    model: `m${fields.index}`,
    tier: 0,
    text: "",
    answer: null,
    display: null,
    attempts: 1,
    latencyMs: 1,
    usage: { input: 1, output: 1, estimated: false },
    costUsd: 0,
    ...fields,
  };
}

const candidateArb = (index: number) =>
  fc
    .record({
      failed: fc.boolean(),
      text: fc.oneof(anyText, fragmentText),
      answer: fc.option(fc.constantFrom("1", "2", "3", "A", "B"), { nil: null }),
      logprobs: fc.option(fc.array(fc.double({ min: -50, max: 0, noNaN: true }), { maxLength: 20 }), {
        nil: undefined,
      }),
      confidence: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
    })
    .map(({ failed, text, answer, logprobs, confidence }) =>
      failed
        ? candidate({ index, error: "ModelCallError: boom" })
        : candidate({ index, text, answer, display: answer, logprobs, confidence }),
    );

const crowdArb = fc
  .integer({ min: 0, max: 9 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => candidateArb(i))));

function assertVector(candidates: readonly Candidate[]): void {
  const vector = computeFeatures(candidates);
  const names = featureNames(candidates.length);
  expect(vector.names).toEqual(names);
  expect(vector.values).toHaveLength(names.length);
  for (const value of vector.values) expect(Number.isFinite(value) || Number.isNaN(value)).toBe(true);
  const answered = candidates.filter((c) => c.error === undefined).length;
  expect(vector.values[names.indexOf("members_answered")]).toBe(answered);
}

describe("computeFeatures", () => {
  it("has its declared length with finite-or-NaN values for arbitrary crowds (empty, all failed, mixed)", () => {
    fc.assert(
      fc.property(crowdArb, (candidates) => assertVector(candidates)),
      { numRuns: 500 },
    );
  });

  it("an empty crowd and an all-failed crowd never throw and give NaN agreement", () => {
    assertVector([]);
    const failed = [0, 1, 2].map((index) => candidate({ index, error: "TimeoutError: timed out" }));
    assertVector(failed);
    const vector = computeFeatures(failed);
    const value = (name: string) => vector.values[vector.names.indexOf(name)];
    expect(value("members_answered")).toBe(0);
    for (const name of [
      "vote_share",
      "distinct_answers",
      "agrees_with_majority_0",
      "avg_logprob_1",
      "confidence_2",
      "length_mean",
    ]) {
      expect(value(name)).toBeNaN();
    }
  });

  it("handles huge outputs: 1 MB texts and 500k-token log-probability lists", { timeout: 60_000 }, () => {
    const logprobs = Array.from({ length: 500_000 }, (_, i) => -((i % 97) / 10));
    const texts = Object.values(ADVERSARIAL).slice(0, 4);
    const candidates = texts.map((text, index) => candidate({ index, text, answer: "1", display: "1", logprobs }));
    assertVector(candidates);
    const vector = computeFeatures(candidates);
    expect(vector.values[vector.names.indexOf("min_prob_0")]).toBeCloseTo(Math.exp(-9.6), 12);
  });
});
