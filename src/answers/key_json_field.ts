import { canonicalValueKey } from "./canonical_value.js";
import { parseLooseLiteral } from "./loose_literal.js";
import type { ExtractedAnswer } from "./types.js";

/** At most this many `{` are tried as the start of an object (a hostile output of braces stays linear enough). */
const MAX_OBJECT_STARTS = 200;

/** The value at a dotted `path` of a parsed object, `undefined` when it is absent. */
function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const step of path) {
    if (current === null || typeof current !== "object" || !Object.hasOwn(current, step)) return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The first object of `text` (fenced or bare, in either quotes, trailing text ignored) with a usable `path`. */
function fieldInObjects(text: string, path: readonly string[]): unknown {
  let tries = 0;
  let index = text.indexOf("{");
  while (index !== -1 && tries < MAX_OBJECT_STARTS) {
    tries++;
    const parsed = parseLooseLiteral(text, index);
    if (parsed) {
      const value = at(parsed.value, path);
      if (canonicalValueKey(value) !== null) return value;
      index = text.indexOf("{", index + 1);
    } else {
      index = text.indexOf("{", index + 1);
    }
  }
  return undefined;
}

/** `"field": value` anywhere in the text, for outputs cut off before their object closes. */
function fieldInText(text: string, field: string): unknown {
  const pattern = new RegExp(`["']${escapeRegExp(field)}["']\\s*:`, "g");
  for (const match of text.matchAll(pattern)) {
    const parsed = parseLooseLiteral(text, (match.index ?? 0) + match[0].length);
    if (parsed && canonicalValueKey(parsed.value) !== null) return parsed.value;
  }
  return undefined;
}

/**
 * The answer in a JSON field of the output: `field` is a key, or a dotted path (`result.answer`). The output is
 * read leniently: a fenced code block or bare object, text before and after it, single quotes and Python literals;
 * the first object holding a non-empty value at the path counts, and when none closes, the first `"field": value`
 * written. The key is the value canonicalized (see `canonicalValueKey`: numbers by value, strings trimmed,
 * literals parsed), so equal values vote together however they were written.
 */
export function extractJsonFieldAnswer(text: string, field: string): ExtractedAnswer | null {
  const path = field.split(".");
  const found = fieldInObjects(text, path) ?? (path.length === 1 ? fieldInText(text, field) : undefined);
  const key = canonicalValueKey(found);
  if (key === null) return null;
  return { key, display: typeof found === "string" ? found.trim() : JSON.stringify(found) };
}
