import { PyramidConfigError } from "../errors/index.js";
import { compileRegexKey } from "./key_forms.js";
import { TASK_KINDS } from "./types.js";
import type { AnswerTask, TaskKind } from "./types.js";

/** How a task is written on the command line, for help texts. */
export const TASK_TEXT_FORMS = `${TASK_KINDS.join(", ")}, json[:<field>], regex:<pattern>, choice:<label,label,...>`;

/**
 * Reads a task as written on the command line: a built-in kind (`math`, `choice`, ...), `json` (the `"answer"`
 * field) or `json:<field>` (a field or dotted path), `regex:<pattern>` (its first capture group), or
 * `choice:<label,label,...>` (a configured set of labels). Throws a `PyramidConfigError` naming `field`.
 */
export function parseAnswerTask(text: string, field = "--task"): AnswerTask {
  if ((TASK_KINDS as readonly string[]).includes(text)) return text as TaskKind;
  if (text === "json") return { field: "answer" };
  const colon = text.indexOf(":");
  const form = colon === -1 ? text : text.slice(0, colon);
  const rest = colon === -1 ? "" : text.slice(colon + 1);
  if (form === "json" && rest.trim() !== "") return { field: rest.trim() };
  if (form === "regex" && rest !== "") {
    compileRegexKey({ regex: rest });
    return { regex: rest };
  }
  if (form === "choice") {
    const labels = rest
      .split(",")
      .map((label) => label.trim())
      .filter(Boolean);
    if (labels.length >= 2) return { choice: labels };
  }
  throw new PyramidConfigError(`unknown task "${text}"`, {
    field,
    fix: `use one of ${TASK_TEXT_FORMS}`,
  });
}
