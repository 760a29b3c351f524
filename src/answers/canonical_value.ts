import { canonicalJson } from "./tool_calls.js";
import { formatNumber, normalizeNumber } from "./normalize_number.js";
import { parseLooseLiteral } from "./loose_literal.js";

/** Strings that are written literals (`[1, 2]`, `(1, 2)`, `{'a': 1}`, `True`, `None`, `"x"`), parsed before keying. */
const LITERAL_START = /^(?:[[({"']|true$|false$|null$|True$|False$|None$)/;

function canonicalString(text: string): unknown {
  const trimmed = text.trim();
  const number = normalizeNumber(trimmed);
  if (number !== null) return Number(number);
  if (LITERAL_START.test(trimmed)) {
    const parsed = parseLooseLiteral(trimmed);
    if (parsed && trimmed.slice(parsed.end).trim() === "") return canonicalValue(parsed.value);
  }
  return trimmed;
}

/**
 * A value with every equal-meaning spelling made one: numbers by value (`18`, `18.0`, `"$18"`, `"1,800"` as
 * `1800`), strings trimmed, strings that are whole JSON or Python literals parsed (`"[1, 2]"`, `"(1,2)"` and
 * `[1, 2]` are one value; `"True"` is `true`), inside arrays and objects too.
 */
export function canonicalValue(value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? Number(formatNumber(value)) : String(value);
  if (typeof value === "string") return canonicalString(value);
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, canonicalValue(item)]));
  }
  return value ?? null;
}

/**
 * The voting key of a value (see {@link canonicalValue}): a number's canonical digits, a string as trimmed, any
 * other value its canonical JSON (keys sorted). `null` for `null`, `undefined`, `None` and blank strings, which are
 * no answer.
 */
export function canonicalValueKey(value: unknown): string | null {
  const canonical = canonicalValue(value);
  if (canonical === null || canonical === "") return null;
  if (typeof canonical === "number") return formatNumber(canonical);
  if (typeof canonical === "string") return canonical;
  return canonicalJson(canonical);
}
