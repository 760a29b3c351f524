/** Generic reasons by HTTP status of a failed model call. */
function reasonOf(status: number): string {
  if (status === 401 || status === 403) return "the provider refused the credentials";
  if (status === 404) return "the provider does not know the model or endpoint";
  if (status === 408 || status === 504) return "the provider timed out";
  if (status === 413) return "the request was too large for the provider";
  if (status === 429) return "the provider is rate limiting";
  if (status >= 400 && status < 500) return "the provider rejected the request";
  return "the provider failed";
}

const STATUS_PATTERNS: readonly RegExp[] = [
  /^[A-Za-z]*Error:\s*(\d{3})\b/,
  /\bstatus(?:\s*code)?\s*[:=]?\s*(\d{3})\b/i,
  /\bHTTP\s*(\d{3})\b/i,
];

/**
 * What a client (or a trace) is told about a failed model call: `HTTP <status>: <generic reason>` when the error
 * carries a status, else one fixed phrase (timed out, aborted, connection failed, invalid output, failed). Nothing
 * of the error's own text is kept, so an upstream body quoting a key, an internal host name, a path or a prompt
 * cannot reach a client; the whole error goes only to the server's log (redacted of secrets).
 *
 * ```ts
 * summarizeModelError("InternalServerError: 500 upstream llm-7.internal.corp failed"); // "HTTP 500: the provider failed"
 * ```
 */
export function summarizeModelError(text: string): string {
  for (const pattern of STATUS_PATTERNS) {
    const status = Number(pattern.exec(text)?.[1]);
    if (status >= 400 && status <= 599) return `HTTP ${status}: ${reasonOf(status)}`;
  }
  if (/timed? ?out|timeout|ETIMEDOUT/i.test(text)) return "the model call timed out";
  if (/abort/i.test(text)) return "the model call was aborted";
  if (/ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|connection|socket|network|fetch failed/i.test(text))
    return "could not connect to the provider";
  return "the model call failed";
}
