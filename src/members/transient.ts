import { TimeoutError } from "../errors/index.js";

const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENOTFOUND",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
]);

function statusOf(error: Record<string, unknown>): number | undefined {
  for (const value of [
    error.status,
    error.statusCode,
    (error.response as Record<string, unknown> | undefined)?.status,
  ]) {
    if (typeof value === "number") return value;
  }
  return undefined;
}

/**
 * Whether a failed call is worth retrying: HTTP 408, 409, 429 and 5xx, network errors, and timeouts.
 * Client errors such as 400 or 401 are not retried.
 */
export function isTransientError(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  if (typeof error !== "object" || error === null) return false;
  const record = error as Record<string, unknown>;
  const status = statusOf(record);
  if (status !== undefined) return status === 408 || status === 409 || status === 429 || status >= 500;
  const code = typeof record.code === "string" ? record.code : undefined;
  if (code && TRANSIENT_CODES.has(code)) return true;
  const cause = record.cause;
  if (cause && cause !== error) return isTransientError(cause);
  return record.name === "APIConnectionError" || record.name === "APIConnectionTimeoutError";
}
