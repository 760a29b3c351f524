import { describe, expect, it } from "vitest";
import { parseLooseLiteral } from "../../src/answers/loose_literal.js";

// Edges of the loose JSON / Python literal parser (the JSON-field key's reader) found by mutation testing
// (npm run mutation -- --scope answers): each case fails when the line it names is changed.

/** `levels` objects nested in one another around the number 1: `{"a": {"a": 1}}` for 2. */
const nestedObjects = (levels: number): string => `${'{"a": '.repeat(levels)}1${"}".repeat(levels)}`;

describe("loose literal parser edges", () => {
  it("reads false in both spellings", () => {
    expect(parseLooseLiteral("[false, False]")).toEqual({ value: [false, false], end: 14 });
  });

  it("reads numbers whole: several digits, a fraction, an exponent with or without its sign", () => {
    expect(parseLooseLiteral("12.5")).toEqual({ value: 12.5, end: 4 });
    expect(parseLooseLiteral(".25")).toEqual({ value: 0.25, end: 3 });
    expect(parseLooseLiteral("1e5")).toEqual({ value: 100000, end: 3 });
    expect(parseLooseLiteral("1e+5")).toEqual({ value: 100000, end: 4 });
    expect(parseLooseLiteral("1e10")).toEqual({ value: 1e10, end: 4 });
    expect(parseLooseLiteral("x1")).toBeUndefined();
  });

  it("reads escaped quotes inside strings; \\' is a quote only in single-quoted strings", () => {
    expect(parseLooseLiteral('"a\\"b"')?.value).toBe('a"b');
    expect(parseLooseLiteral("'it\\'s'")?.value).toBe("it's");
    expect(parseLooseLiteral('"it\\\'s"')?.value).toBe("it\\'s");
    expect(parseLooseLiteral('"abc')).toBeUndefined();
  });

  it("refuses sequences and objects without their commas, colons or quoted keys", () => {
    expect(parseLooseLiteral("[1 2]")).toBeUndefined();
    expect(parseLooseLiteral("[1,")).toBeUndefined();
    expect(parseLooseLiteral("{'a' 12}")).toBeUndefined();
    expect(parseLooseLiteral("{'a': 1 'b': 2}")).toBeUndefined();
    expect(parseLooseLiteral("{a: 1, a: 2}")).toBeUndefined();
  });

  it("makes plain data properties, as JSON.parse does", () => {
    const parsed = parseLooseLiteral('{"a": 1}')?.value as Record<string, unknown>;
    expect(Object.getOwnPropertyDescriptor(parsed, "a")).toEqual({
      value: 1,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });

  it("reads objects nested 64 deep, and no deeper", () => {
    expect(parseLooseLiteral(nestedObjects(64))?.end).toBe(nestedObjects(64).length);
    expect(parseLooseLiteral(nestedObjects(65))).toBeUndefined();
  });
});
