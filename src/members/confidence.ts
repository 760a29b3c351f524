/**
 * The instruction appended to members' prompts when the pyramid asks for self-reported confidence.
 * {@link parseConfidence} reads the answer back.
 */
export const CONFIDENCE_INSTRUCTION =
  "After your answer, on its own last line, state how confident you are that your answer is correct as " +
  "`Confidence: <a number between 0 and 1>`.";

/** Removes self-reported confidence statements (`Confidence: 0.8`, `"confidence": 80%`) from an output. */
export function stripConfidence(text: string): string {
  return text.replace(PATTERN, "").trimEnd();
}

const PATTERN = /"?confidence"?\s*[:=]\s*"?(\d*\.?\d+)\s*(%)?/gi;

/**
 * Parses a self-reported confidence (`Confidence: 0.8`, `"confidence": 80%`, ...) from an output; the last
 * one wins. Returns a value in [0, 1], or `undefined` when there is none.
 */
export function parseConfidence(text: string): number | undefined {
  const matches = [...text.matchAll(PATTERN)];
  const last = matches[matches.length - 1];
  if (!last) return undefined;
  let value = Number(last[1]);
  if (last[2] === "%" || value > 1) value /= 100;
  return Number.isFinite(value) && value >= 0 && value <= 1 ? value : undefined;
}
