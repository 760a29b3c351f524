/**
 * Signals read from one member's reasoning text, with no model: hedges and self-corrections, the number of steps,
 * whether the final answer is derived in the reasoning, and whether a question counts things.
 */

/** Phrases of doubt or self-correction ("wait", "actually", "let me re-check", "I made a mistake", ...). */
const HEDGES =
  /\b(?:wait|actually|hmm+|oops|let me (?:re-?|try again|double)|let's (?:re-?|try again|double)|re-?(?:check|calculate|evaluate|consider|examine|read)|double[- ]check|(?:i|we) made an? (?:mistake|error)|my mistake|correction|on second thought|that(?:'s| is) (?:not |in)correct|this is (?:not |in)correct|mistake|however)\b/gi;

/** How many hedge or self-correction phrases `text` holds. */
export function hedgeCount(text: string): number {
  let count = 0;
  for (const _ of text.matchAll(HEDGES)) count++;
  return count;
}

/**
 * The reasoning part of an output: the text before its JSON `"answer"` field when it has one (the recorded prompts
 * ask for `{"reasoning", "answer"}`; from the `"reasoning"` field's value when it comes first), else before its last
 * line.
 */
export function reasoningPart(text: string): string {
  const field = text.search(/"answer"\s*:/);
  if (field >= 0) {
    const before = text.slice(0, field);
    const reasoning = /"reasoning"\s*:\s*"/.exec(before);
    return reasoning ? before.slice(reasoning.index + reasoning[0].length) : before;
  }
  const lastBreak = text.trimEnd().lastIndexOf("\n");
  return lastBreak > 0 ? text.slice(0, lastBreak) : text;
}

/** Steps of a reasoning: its sentences and lines (real or JSON-escaped line breaks) that hold a letter or digit. */
export function reasoningSteps(text: string): number {
  return reasoningPart(text)
    .split(/(?<=[.!?])\s+|\n+|\\n/)
    .filter((segment) => /[\p{L}\p{N}]/u.test(segment)).length;
}

/**
 * Whether the answer (its display form, or its vote key) is written in the reasoning part: a reasoning that derives
 * its answer writes it before stating it. Numbers match as whole numbers (`12` is not in `120`).
 */
export function answerInReasoning(text: string, answer: { key: string; display: string }): boolean {
  const reasoning = reasoningPart(text).replace(/(?<=\d),(?=\d{3}\b)/g, "");
  for (const form of [answer.key, answer.display.trim()]) {
    if (form.length === 0) continue;
    const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const bounded = /^[\d.-]/.test(form) ? new RegExp(`(?<![\\d.])${escaped}(?![\\d]|\\.\\d)`) : new RegExp(escaped);
    if (bounded.test(reasoning)) return true;
  }
  return false;
}

/** Whether a question asks for a count ("how many", "number of"), whose answer must be a whole number. */
export function isCountingQuestion(question: string): boolean {
  return /\bhow many\b|\bnumber of\b|\bcount\b/i.test(question);
}
