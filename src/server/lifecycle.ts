import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { toHttpError } from "./errors.js";
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

/** How the server runs: headers on every response, the request log, and how long shutdown waits. */
export interface LifecycleOptions {
  readonly headers: readonly (readonly [string, string])[];
  readonly log?: (line: string) => void;
  readonly shutdownTimeoutMs: number;
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

  const server = createServer((req, res) => {
    const started = Date.now();
    state.inFlight++;
    responses.add(res);
    for (const [name, value] of extraHeaders) res.setHeader(name, value);
    if (state.closing) res.setHeader("connection", "close");
    res.on("close", () => {
      state.inFlight--;
      responses.delete(res);
      log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
      if (state.closing) setImmediate(() => server.closeIdleConnections());
    });
    handle(req, res).catch((error: unknown) => {
      if (res.destroyed) return;
      const httpError = toHttpError(error);
      sendError(res, httpError, state.closing);
      // A 413 left unread body bytes behind: end the connection rather than parse them as a request.
      if (httpError.status === 413) res.on("finish", () => req.socket.end());
    });
  });

  return {
    server,
    get inFlight() {
      return state.inFlight;
    },
    listen(port = 8000, host = "127.0.0.1") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
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
