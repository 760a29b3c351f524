import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpError } from "./errors.js";

/** The 413 answered to a body over `limit` bytes. */
export function bodyTooLarge(limit: number): HttpError {
  return new HttpError(413, `request body is larger than ${limit} bytes`, { code: "request_too_large", param: null });
}

/** Whether the request declares (Content-Length) a body over `limit` bytes. */
export function declaresTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers["content-length"]);
  return Number.isFinite(declared) && declared > limit;
}

/**
 * Reads the body, at most `limit` bytes. A body declared larger is refused before a byte of it is read; one that
 * turns out larger (chunked) is refused once `limit` is passed. The connection is kept: after the 413 is sent,
 * node:http reads and discards the rest of the body, so the client finishes its upload and reads the 413 instead of
 * a connection reset (the request timeout still bounds how long that takes).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (declaresTooLarge(req, limit)) return Promise.reject(bodyTooLarge(limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const onData = (part: Buffer): void => {
      size += part.length;
      if (size > limit) {
        parts.length = 0;
        req.off("data", onData);
        reject(bodyTooLarge(limit));
        return;
      }
      parts.push(part);
    };
    req.on("data", onData);
    req.on("end", () => {
      if (size <= limit) resolve(Buffer.concat(parts));
    });
    req.on("error", reject);
  });
}

/**
 * The `checkContinue` handler: a client that sent `Expect: 100-continue` with a Content-Length over `limit` gets the
 * 413 at once (and never `100 Continue`, so it does not upload the body); any other gets `100 Continue` and is
 * handled as a normal request by `onRequest`.
 */
export function checkContinue(
  limit: number,
  respond: (res: ServerResponse, error: HttpError) => void,
  onRequest: (req: IncomingMessage, res: ServerResponse) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    if (declaresTooLarge(req, limit)) {
      res.shouldKeepAlive = false;
      respond(res, bodyTooLarge(limit));
      return;
    }
    res.writeContinue();
    onRequest(req, res);
  };
}
