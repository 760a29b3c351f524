import type { AIMessage } from "@langchain/core/messages";
import { PyramidConfigError } from "../errors/index.js";
import { extractFunctionAnswer } from "./key_function.js";
import { extractJsonFieldAnswer } from "./key_json_field.js";
import { extractLabelAnswer, labelPatterns } from "./key_labels.js";
import { extractRegexAnswer } from "./key_regex.js";
import type {
  AnswerKeyFunction,
  AnswerTask,
  ChoiceLabelsKey,
  ExtractedAnswer,
  JsonFieldKey,
  RegexKey,
  TaskKind,
} from "./types.js";

/** A user-defined key's extractor. */
export type KeyExtractor = (text: string, message?: AIMessage) => ExtractedAnswer | null;

/** A user-defined answer key (every form of {@link AnswerTask} but the built-in kinds). */
export type UserAnswerKey = Exclude<AnswerTask, TaskKind>;

/** The name of a user-defined key's form: one extractor file each. */
export type KeyForm = "field" | "regex" | "choice" | "function";

/** Which form a user-defined key has. */
export function keyFormOf(key: UserAnswerKey): KeyForm {
  if (typeof key === "function") return "function";
  if ("field" in key) return "field";
  if ("regex" in key) return "regex";
  return "choice";
}

/** Compiles a regex key, naming the field and the fix when the pattern is not a valid regular expression. */
export function compileRegexKey(key: RegexKey): RegExp {
  try {
    return new RegExp(key.regex, (key.flags ?? "").replace(/[gy]/g, ""));
  } catch (error) {
    throw new PyramidConfigError(`invalid regular expression: ${error instanceof Error ? error.message : error}`, {
      field: "task.regex",
      fix: 'give a JavaScript regular expression whose first group captures the answer, e.g. "Answer:\\s*(\\S+)"',
    });
  }
}

const BUILDERS: { readonly [F in KeyForm]: (key: UserAnswerKey) => KeyExtractor } = {
  field: (key) => {
    const { field } = key as JsonFieldKey;
    return (text) => extractJsonFieldAnswer(text, field);
  },
  regex: (key) => {
    const pattern = compileRegexKey(key as RegexKey);
    return (text) => extractRegexAnswer(text, pattern);
  },
  choice: (key) => {
    const patterns = labelPatterns((key as ChoiceLabelsKey).choice);
    return (text) => extractLabelAnswer(text, patterns);
  },
  function: (key) => (text, message) => extractFunctionAnswer(text, key as AnswerKeyFunction, message),
};

const compiled = new WeakMap<object, KeyExtractor>();

/** The extractor of a user-defined key (compiled once per key object). */
export function keyFormExtractor(key: UserAnswerKey): KeyExtractor {
  const cached = compiled.get(key);
  if (cached) return cached;
  const extractor = BUILDERS[keyFormOf(key)](key);
  compiled.set(key, extractor);
  return extractor;
}

/**
 * A stable text naming a task, for traces, cache keys and run settings: the kind itself, `json:<field>`,
 * `regex:<pattern>` (with `/flags`), `choice:<labels>`, or `function:<name>` (a function's source is not a value).
 */
export function taskLabel(task: AnswerTask): string {
  if (typeof task === "string") return task;
  switch (keyFormOf(task)) {
    case "field":
      return `json:${(task as JsonFieldKey).field}`;
    case "regex": {
      const { regex, flags } = task as RegexKey;
      return `regex:${regex}${flags ? `/${flags}` : ""}`;
    }
    case "choice":
      return `choice:${(task as ChoiceLabelsKey).choice.join(",")}`;
    default:
      return `function:${(task as AnswerKeyFunction).name || "anonymous"}`;
  }
}
