import { PyramidConfigError, TimeoutError } from "../../errors/index.js";
import { withDeadline } from "../../members/abort.js";

/**
 * The server a model URI is downloaded from: the URL itself for `http(s)://`, the Hugging Face endpoint for
 * `hf:` / `huggingface:` URIs (`MODEL_ENDPOINT` or `HF_ENDPOINT` when set, as node-llama-cpp does).
 */
export function modelServerUrl(uri: string): string {
  if (/^https?:\/\//i.test(uri)) return uri;
  for (const endpoint of [process.env.MODEL_ENDPOINT, process.env.HF_ENDPOINT]) {
    if (endpoint && /^https?:\/\//i.test(endpoint)) return endpoint;
  }
  return "https://huggingface.co/";
}

/** The most telling part of a fetch failure: the socket error code (ECONNREFUSED, ENOTFOUND, ...) or the cause's message. */
function networkCode(error: unknown): string {
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error)
    return typeof (cause as { code?: unknown }).code === "string"
      ? String((cause as { code?: unknown }).code)
      : cause.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks that the server of a model URI answers (a HEAD request; any HTTP status counts) within `timeoutMs`,
 * before node-llama-cpp's downloader, which retries a dead server for minutes and cannot be cancelled while it
 * fetches the file's metadata. A refused or unreachable server is a {@link PyramidConfigError}, no answer in
 * time a {@link TimeoutError}, both naming `field` and the URI; an abort rejects with the signal's reason.
 */
export async function probeModelServer(
  uri: string,
  field: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<void> {
  const url = modelServerUrl(uri);
  const fix =
    "Check the URI and that its host is reachable from here (or raise timeoutMs), or download the GGUF file yourself and give its path.";
  try {
    await withDeadline(
      async (deadline) => {
        const response = await fetch(url, { method: "HEAD", signal: deadline });
        await response.body?.cancel();
      },
      timeoutMs,
      signal,
      `connecting to ${url}`,
    );
  } catch (error) {
    if (signal?.aborted) throw error;
    if (error instanceof TimeoutError) {
      throw new TimeoutError(
        `${url} did not answer within ${timeoutMs} ms, so the model "${uri}" cannot be downloaded`,
        { field, fix, cause: error },
      );
    }
    throw new PyramidConfigError(`could not connect to ${url} to download the model "${uri}" (${networkCode(error)})`, {
      field,
      fix,
      cause: error,
    });
  }
}
