import { formatPath } from "../config/issues.js";
import { HttpError } from "./errors.js";
import { chatCompletionRequestSchema } from "./schema.js";
import type { ChatCompletionRequest } from "./schema.js";
import { checkToolSchemas, DEFAULT_MAX_TOOL_SCHEMA_BYTES, DEFAULT_MAX_TOOL_SCHEMA_DEPTH } from "./tool_limits.js";
import type { ToolSchemaLimits } from "./tool_limits.js";

/**
 * The request body as a chat completion request: JSON, validated by {@link chatCompletionRequestSchema}, with
 * `tool_choice` naming a given tool, tool schemas within `toolLimits`; anything else is a 400 naming the field.
 */
export function parseRequest(
  raw: Buffer,
  toolLimits: ToolSchemaLimits = { maxDepth: DEFAULT_MAX_TOOL_SCHEMA_DEPTH, maxBytes: DEFAULT_MAX_TOOL_SCHEMA_BYTES },
): ChatCompletionRequest {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HttpError(400, "the request body is not valid JSON", { code: "invalid_json" });
  }
  const parsed = chatCompletionRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    const param = path.length > 0 ? formatPath(path) : null;
    let message = issue.message;
    if (issue.code === "invalid_union" && "note" in issue && issue.note === "No matching discriminator") {
      message = 'must be one of "system", "developer", "user", "assistant", "tool"';
    }
    throw new HttpError(400, `${param ?? "body"}: ${message}`, { param, code: "invalid_value" });
  }
  const request = parsed.data;
  checkToolSchemas(request.tools, toolLimits);
  const choice = request.tool_choice;
  if (
    typeof choice === "object" &&
    !(request.tools ?? []).some((tool) => tool.function.name === choice.function.name)
  ) {
    throw new HttpError(400, `tool_choice names "${choice.function.name}", which is not in tools`, {
      param: "tool_choice",
      code: "invalid_value",
    });
  }
  if (choice !== undefined && choice !== "none" && (request.tools ?? []).length === 0) {
    throw new HttpError(400, "tool_choice is set but no tools are given", {
      param: "tool_choice",
      code: "invalid_value",
    });
  }
  return request;
}
