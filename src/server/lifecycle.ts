import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { toHttpError } from "./errors.js";
import type { HttpError } from "./errors.js";
import { checkContinue } from "./body.js";
import { listenError } from "./listen_error.js";
import { sendError } from "./respond.js";

/** A running (or ready to run) OpenAI-compatible pyramid server. */
export interface PyramidServer {
  /** The underlying node:http server. */
  readonly server: Server;
  /** Starts listening (default 127.0.0.1, port 8000; port 0 picks a free one); resolves with the base URL. */
  listen(port?: number, host?: string): Promise<{ url: string; port: number; host: string }>;
  /**
   * Graceful shutdown: stops accepting connections, answers new requests on open connections with 503,
   * lets in-flight requests finish (up to `shutdownTimeoutMs`, then aborts them) and resolves once closed.
   */
  close(): Promise<void>;
  /** Requests being answered right now. */
  readonly inFlight: number;
}

/** What the routes and the lifecycle share: requests in flight, whether the server is closing, their abort controllers. */
export interface ServerState {
  inFlight: number;
  closing: boolean;
  /** One per chat completion being answered; aborted when the client leaves or shutdown times out. */
  readonly controllers: Set<AbortController>;
}

/** How the server runs: headers on every response, the request log, time limits, and what happens to errors. */
export interface LifecycleOptions {
  readonly headers: readonly (readonly [string, string])[];
  readonly log?: (line: string) => void;
  readonly shutdownTimeoutMs: number;
  /** Time a client has to send a whole request (headers and body), in ms; slower clients get a 408 and are closed. */
  readonly requestTimeoutMs: number;
  /** Largest body: a client asking `Expect: 100-continue` for more gets the 413 at once, without `100 Continue`. */
  readonly maxBodyBytes: number;
  /** Called with every error answered (after it is mapped to an HTTP error), e.g. to log a 5xx's details. */
  readonly onError?: (res: ServerResponse, error: HttpError) => void;
  /** Called when a response is done, with its duration in seconds. */
  readonly onFinished?: (res: ServerResponse, seconds: number) => void;
}

/**
 * The node:http server around `handle`: counts and logs requests, maps what `handle` throws to an HTTP error,
 * listens, and shuts down gracefully (503 for new requests, in-flight ones finish or are aborted after the timeout).
 */
export function serveRequests(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  state: ServerState,
  options: LifecycleOptions,
): PyramidServer {
  const { log, shutdownTimeoutMs } = options;
  const extraHeaders = options.headers;
  const responses = new Set<ServerResponse>();
  let closed: Promise<void> | undefined;

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    state.inFlight++;
    responses.add(res);
    for (const [name, value] of extraHeaders) res.setHeader(name, value);
    res.setHeader("x-request-id", `req_${randomUUID().replace(/-/g, "")}`);
    if (state.closing) res.setHeader("connection", "close");
    res.on("close", () => {
      state.inFlight--;
      responses.delete(res);
      log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
      options.onFinished?.(res, (Date.now() - started) / 1000);
      if (state.closing) setImmediate(() => server.closeIdleConnections());
    });
    handle(req, res).catch((error: unknown) => {
      if (res.destroyed) return;
      const httpError = toHttpError(error);
      options.onError?.(res, httpError);
      // After a 413 node:http reads and discards the rest of the body, so the client can read the answer.
      sendError(res, httpError, state.closing);
    });
  };

  // Slow clients: the whole request (headers and body) within requestTimeoutMs, checked every second.
  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs,
      headersTimeout: options.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, options.requestTimeoutMs),
    },
    onRequest,
  );
  server.on(
    "checkContinue",
    checkContinue(options.maxBodyBytes, (res, error) => sendError(res, error, true), onRequest),
  );

  return {
    server,
    get inFlight() {
      return state.inFlight;
    },
    listen(port = 8000, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        const onError = (error: unknown) => reject(listenError(error, port, host));
        server.once("error", onError);
        server.listen(port, host, () => {
          server.off("error", onError);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
          resolve({ url: `http://${shownHost}:${address.port}`, port: address.port, host: address.address });
        });
      });
    },
    close() {
      closed ??= new Promise<void>((resolve) => {
        state.closing = true;
        for (const res of responses) if (!res.headersSent) res.setHeader("connection", "close");
        const timer = setTimeout(() => {
          for (const controller of state.controllers) controller.abort(new Error("the server shut down"));
          server.closeAllConnections();
        }, shutdownTimeoutMs);
        timer.unref();
        if (!server.listening) {
          clearTimeout(timer);
          resolve();
          return;
        }
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
      });
      return closed;
    },
  };
}
