import type { IncomingHttpHeaders } from "node:http";
import { HttpError } from "./errors.js";
import type { ChatCompletionRequest } from "./schema.js";

/** The request header giving a per-request deadline in milliseconds (the body's `deadline_ms` does the same). */
export const DEADLINE_HEADER = "x-pyramid-deadline-ms";

/**
 * The request's deadline in milliseconds: the body's `deadline_ms` or the {@link DEADLINE_HEADER} header (the
 * smaller when both are given), `undefined` when neither is; a header that is not a positive number is a 400.
 */
export function requestDeadlineMs(request: ChatCompletionRequest, headers: IncomingHttpHeaders): number | undefined {
  const raw = headers[DEADLINE_HEADER];
  let header: number | undefined;
  if (raw !== undefined) {
    const text = Array.isArray(raw) ? raw[0] : raw;
    header = Number(text);
    if (text.trim() === "" || !Number.isFinite(header) || header <= 0) {
      throw new HttpError(400, `${DEADLINE_HEADER}: must be a positive number of milliseconds, got "${text}"`, {
        param: DEADLINE_HEADER,
        code: "invalid_value",
      });
    }
  }
  const body = request.deadline_ms ?? undefined;
  if (body === undefined) return header;
  return header === undefined ? body : Math.min(body, header);
}
