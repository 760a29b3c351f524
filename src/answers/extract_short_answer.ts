import { extractJsonFieldAnswer } from "./key_json_field.js";
import type { ExtractedAnswer } from "./types.js";

const SAID = /(?:final answer|the answer|^[ \t]*answer)[ \t]*(?:is|:)[ \t]*:?[ \t]*([^\n]+)/gim;

/**
 * SQuAD's answer normalization: lower case, punctuation and the articles a/an/the dropped, whitespace collapsed.
 */
export function normalizeShortAnswer(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}]/gu, " ")
    .replace(/\b(?:a|an|the)\b/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Extracts a short factual answer (RAG-style): a JSON `"answer"` field, else the text after the last "the answer
 * is" / "Answer:", else the first non-empty line; keyed by {@link normalizeShortAnswer}, so that "The Eiffel
 * Tower." and "eiffel tower" vote together (answers that say the same in other words are joined by the
 * similarity clustering of free-text votes).
 */
export function extractShortAnswer(text: string): ExtractedAnswer | null {
  const field = extractJsonFieldAnswer(text, "answer");
  const said = [...text.matchAll(SAID)].pop()?.[1];
  const firstLine = text.split("\n").find((line) => line.trim() !== "");
  const display = (field?.display ?? said ?? firstLine ?? "").trim();
  const key = normalizeShortAnswer(display);
  return key === "" ? null : { key, display };
}
