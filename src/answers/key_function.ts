import type { AIMessage } from "@langchain/core/messages";
import { PyramidConfigError } from "../errors/index.js";
import type { AnswerKeyFunction, ExtractedAnswer } from "./types.js";

/**
 * The answer a user's key function reads. The key is taken as returned (the function decides what is equal);
 * blank keys are no answer, and anything other than a string or `null` is refused.
 */
export function extractFunctionAnswer(
  text: string,
  keyOf: AnswerKeyFunction,
  message?: AIMessage,
): ExtractedAnswer | null {
  const key: unknown = keyOf(text, message);
  if (key === null || key === undefined) return null;
  if (typeof key !== "string") {
    throw new PyramidConfigError(`the answer key function returned a ${typeof key}, not a string or null`, {
      field: "task",
      fix: "return the answer's key as a string (equal strings vote together), or null for no answer",
    });
  }
  return key.trim() === "" ? null : { key, display: key };
}
