import type { ServerResponse } from "node:http";
import { redactSecrets } from "../security/redact.js";
import {
  BudgetExceededError,
  ModelCallError,
  PyramidConfigError,
  ReplayMissError,
  TimeoutError,
} from "../errors/index.js";

/** An HTTP error answered in OpenAI's error JSON shape: `{ error: { message, type, param, code } }`. */
export class HttpError extends Error {
  /** HTTP status. */
  readonly status: number;
  /** OpenAI error type (`invalid_request_error`, `authentication_error`, `server_error`, ...). */
  readonly type: string;
  /** The request field at fault, e.g. `messages[0].role`. */
  readonly param: string | null;
  /** Machine-readable code, e.g. `invalid_api_key`. */
  readonly code: string | null;
  /** Extra response headers. */
  readonly headers: Record<string, string>;
  /** What went wrong in full, for the server's log only (never sent: it may hold file paths or prompt text). */
  readonly detail?: string;

  constructor(
    status: number,
    message: string,
    options: {
      type?: string;
      param?: string | null;
      code?: string | null;
      headers?: Record<string, string>;
      detail?: string;
    } = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.type = options.type ?? (status >= 500 ? "server_error" : "invalid_request_error");
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.headers = options.headers ?? {};
    this.detail = options.detail;
  }

  /** The JSON body of the error response. */
  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: redactSecrets(this.message), type: this.type, param: this.param, code: this.code } };
  }
}

/**
 * Maps an error thrown while answering to an {@link HttpError}. A 5xx carries a fixed message (a model error can
 * quote file paths, a prompt or a provider's answer): the original goes to `detail`, for the server's log.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const detail = error instanceof Error && error.stack ? error.stack : message;
  if (error instanceof PyramidConfigError) return new HttpError(400, message, { code: "invalid_request" });
  // Replayed models asked a prompt they were not recorded on: the request's fault (the original, which names the
  // server's recorded file, goes to `detail` only).
  if (error instanceof ReplayMissError) {
    return new HttpError(
      400,
      "the replayed models have no recorded answer to this prompt: they answer only the prompts they were recorded on",
      { code: "not_recorded", detail },
    );
  }
  if (error instanceof BudgetExceededError)
    return new HttpError(402, message, { type: "insufficient_quota", code: "budget_exceeded" });
  if (error instanceof TimeoutError)
    return new HttpError(504, "the models did not answer in time", { type: "timeout", code: "timeout", detail });
  if (error instanceof ModelCallError) {
    return new HttpError(502, "the models could not answer this request", {
      type: "api_error",
      code: "model_call_failed",
      detail,
    });
  }
  return new HttpError(500, "internal server error", { type: "server_error", code: "internal_error", detail });
}

/** Writes a 5xx error's details to the server's log, under the response's `x-request-id` (other errors: nothing). */
export function logServerError(errorLog: (line: string) => void, res: ServerResponse, error: HttpError): void {
  if (error.status >= 500 && error.detail)
    errorLog(`request ${String(res.getHeader("x-request-id"))}: ${error.status} ${error.detail}`);
}
