import { BudgetExceededError, ModelCallError, PyramidConfigError, TimeoutError } from "../errors/index.js";

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

  constructor(
    status: number,
    message: string,
    options: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.name = "HttpError";
    this.status = status;
    this.type = options.type ?? (status >= 500 ? "server_error" : "invalid_request_error");
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.headers = options.headers ?? {};
  }

  /** The JSON body of the error response. */
  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** Maps an error thrown while answering to an {@link HttpError}. */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof PyramidConfigError) return new HttpError(400, message, { code: "invalid_request" });
  if (error instanceof BudgetExceededError) return new HttpError(402, message, { type: "insufficient_quota", code: "budget_exceeded" });
  if (error instanceof TimeoutError) return new HttpError(504, message, { type: "timeout", code: "timeout" });
  if (error instanceof ModelCallError) return new HttpError(502, message, { type: "api_error", code: "model_call_failed" });
  return new HttpError(500, message, { type: "server_error", code: "internal_error" });
}
