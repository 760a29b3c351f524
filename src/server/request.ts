import type { IncomingMessage } from "node:http";
import { timingSafeEqual } from "node:crypto";
import { formatPath } from "../config/issues.js";
import { HttpError } from "./errors.js";
import { chatCompletionRequestSchema } from "./schema.js";
import type { ChatCompletionRequest } from "./schema.js";

/** Whether an `Authorization` header carries `Bearer <token>` (compared in constant time). */
export function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Reads the body; over `limit` bytes it drains the rest (so the client can read the 413) and throws. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    const tooLarge = () =>
      new HttpError(413, `request body is larger than ${limit} bytes`, { code: "request_too_large", param: null, headers: { connection: "close" } });
    const parts: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    const drainCap = Math.max(limit * 8, 16 * 1024 * 1024);
    req.on("data", (part: Buffer) => {
      size += part.length;
      if (size > limit) over = true;
      if (over) {
        parts.length = 0;
        if (size > drainCap) {
          reject(tooLarge());
          req.destroy();
        }
        return;
      }
      parts.push(part);
    });
    req.on("end", () => (over ? reject(tooLarge()) : resolve(Buffer.concat(parts))));
    req.on("error", reject);
  });
}

/**
 * The request body as a chat completion request: JSON, validated by {@link chatCompletionRequestSchema}, with
 * `tool_choice` naming a given tool; anything else is a 400 naming the field.
 */
export function parseRequest(raw: Buffer): ChatCompletionRequest {
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
  const choice = request.tool_choice;
  if (typeof choice === "object" && !(request.tools ?? []).some((tool) => tool.function.name === choice.function.name)) {
    throw new HttpError(400, `tool_choice names "${choice.function.name}", which is not in tools`, { param: "tool_choice", code: "invalid_value" });
  }
  if (choice !== undefined && choice !== "none" && (request.tools ?? []).length === 0) {
    throw new HttpError(400, "tool_choice is set but no tools are given", { param: "tool_choice", code: "invalid_value" });
  }
  return request;
}
