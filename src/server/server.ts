import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { PyramidChatModel } from "../chat_models/index.js";
import { PyramidConfigError } from "../errors/index.js";
import { HttpError, toHttpError } from "./errors.js";
import { nowSeconds } from "./format.js";
import { answer, parseRequest, runnableFor, sendError, sendJson, streamAnswer } from "./answer.js";
import type { Answered } from "./answer.js";
import { toLangChainMessages } from "./messages.js";
import { checkContinue, readBody } from "./body.js";
import { listenError } from "./listen_error.js";
import { PyramidMetrics } from "./metrics.js";
import { TenantGate } from "./tenants.js";
import type { AdmittedTenant, ServerTenant } from "./tenants.js";
import { InProcessRateLimiter } from "../limits/rate_limiter.js";
import type { RateLimiter } from "../limits/rate_limiter.js";

/** Default request-body limit: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** Default time a client has to send a whole request (headers and body): 30 s. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Options of {@link createPyramidServer}. */
export interface PyramidServerOptions {
  /** The pyramid that answers every request. */
  readonly model: PyramidChatModel;
  /** Model id listed by `GET /v1/models` and reported in responses. Default `pyramid-moa`. */
  readonly modelId?: string;
  /** When set, `/v1/*` requests must carry `Authorization: Bearer <token>` (else 401). */
  readonly token?: string;
  /** Largest accepted request body in bytes (else 413). Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** How long `close()` waits for in-flight requests before cutting them off. Default 30 s. */
  readonly shutdownTimeoutMs?: number;
  /** Receives one line per request (method, path, status, ms). Default: none. */
  readonly log?: (line: string) => void;
  /** Headers added to every response, e.g. `{ "x-pyramid-worker": String(process.pid) }`. Default: none. */
  readonly headers?: Readonly<Record<string, string>>;
  /** API keys mapped to tenants with budgets and rate limits; requests must then carry one of the keys (or `token`). */
  readonly tenants?: readonly ServerTenant[];
  /** Where the tenants' rate limits are kept (a `RedisRateLimiter` to share them); default: in this process. */
  readonly rateLimiter?: RateLimiter;
  /** Prometheus metrics served at `GET /metrics` (default: new ones); `false` turns the route off. */
  readonly metrics?: PyramidMetrics | false;
  /** Time a client has to send a whole request, headers included, in ms (else 408 and closed). Default 30 s. */
  readonly requestTimeoutMs?: number;
  /** Receives the details of 5xx errors (never sent to clients). Default: `log`, else stderr. */
  readonly errorLog?: (line: string) => void;
}

const optionsSchema = z.object({
  model: z.custom<PyramidChatModel>(
    (value) => typeof value === "object" && value !== null && typeof (value as { invoke?: unknown }).invoke === "function",
    { message: "expected a PyramidChatModel" },
  ),
  modelId: z.string().min(1).optional(),
  token: z.string().min(1, "must not be empty (an empty token would accept anyone)").optional(),
  maxBodyBytes: z.number().int().positive().optional(),
  shutdownTimeoutMs: z.number().int().nonnegative().optional(),
  log: z.function().optional(),
  errorLog: z.function().optional(),
  tenants: z.array(z.object({ name: z.string().min(1), key: z.string().min(1, "must not be empty (an empty key would accept anyone)") }).loose()).optional(),
  rateLimiter: z.custom<RateLimiter>((v) => typeof (v as RateLimiter | undefined)?.admit === "function", { message: "expected a RateLimiter" }).optional(),
  metrics: z.union([z.instanceof(PyramidMetrics), z.literal(false)]).optional(),
  requestTimeoutMs: z.number().int().positive().optional(),
  headers: z
    .record(z.string(), z.string().regex(/^[^\r\n\0]*$/, "must not contain line breaks"))
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) ctx.addIssue({ code: "custom", path: [name], message: "is not a valid HTTP header name" });
      }
    })
    .optional(),
});

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

/**
 * Creates an OpenAI-compatible HTTP server (node:http) answering with a {@link PyramidChatModel}:
 * `POST /v1/chat/completions` (JSON, or SSE streaming in OpenAI's chunk format ending with `data: [DONE]`;
 * `tools`/`tool_choice` bound to every member; `usage`), `GET /v1/models`, `GET /health`. The routing trace
 * is in the `pyramid` field of the completion (and of the streamed chunk that carries `finish_reason`).
 * Errors use OpenAI's JSON shape: 400 (validation), 401 (bearer token), 404, 405, 413 (body size), 5xx.
 *
 * ```ts
 * const server = createPyramidServer({ model: pyramid, token: process.env.PYRAMID_TOKEN });
 * const { url } = await server.listen(8000, "127.0.0.1"); // OpenAI baseURL: `${url}/v1`
 * process.on("SIGTERM", () => void server.close());
 * ```
 */
export function createPyramidServer(options: PyramidServerOptions): PyramidServer {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PyramidConfigError(issue.message, { field: `createPyramidServer.${issue.path.join(".")}`, fix: "see docs/server.md" });
  }
  const { model, token, log } = options;
  const errorLog = options.errorLog ?? log ?? ((line: string) => console.error(line));
  const metrics = options.metrics === false ? undefined : (options.metrics ?? new PyramidMetrics());
  const gate = new TenantGate(options.tenants ?? [], options.rateLimiter ?? new InProcessRateLimiter(), model.spec.budget, token);
  if (metrics && model.spec.budget) metrics.watchBudget("global", model.spec.budget);
  for (const [name, budget] of gate.budgets()) metrics?.watchBudget(name, budget);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const extraHeaders = Object.entries(options.headers ?? {});
  const modelId = options.modelId ?? "pyramid-moa";
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 30_000;
  const created = nowSeconds();
  const controllers = new Set<AbortController>();
  const responses = new Set<ServerResponse>();
  let inFlight = 0;
  let closing = false;
  let closed: Promise<void> | undefined;

  const tenants = new WeakMap<ServerResponse, string>();

  function logError(res: ServerResponse, error: HttpError): void {
    if (error.status >= 500 && error.detail) errorLog(`request ${String(res.getHeader("x-request-id"))}: ${error.status} ${error.detail}`);
  }

  async function recordAnswer(tenant: AdmittedTenant, done: Answered): Promise<void> {
    const input = done.usage?.input_tokens ?? 0;
    const output = done.usage?.output_tokens ?? 0;
    if (done.pyramid) metrics?.observeAnswer(tenant.name, done.pyramid, { input, output });
    await gate.recordTokens(tenant, input + output).catch((error: unknown) => errorLog(`rate limiter: ${String(error)}`));
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (closing) throw new HttpError(503, "the server is shutting down", { code: "shutting_down", headers: { connection: "close" } });
    if (path === "/health") {
      if (req.method !== "GET") throw new HttpError(405, "use GET /health", { headers: { allow: "GET" } });
      sendJson(res, 200, { status: "ok", model: modelId, inFlight });
      return;
    }
    if (path === "/metrics" && metrics) {
      if (req.method !== "GET") throw new HttpError(405, "use GET /metrics", { headers: { allow: "GET" } });
      const text = await metrics.text();
      res.writeHead(200, { "content-type": metrics.registry.contentType, "content-length": String(Buffer.byteLength(text)) });
      res.end(text);
      return;
    }
    if (path.startsWith("/v1/") && path !== "/v1/chat/completions") gate.identify(req.headers);
    if (path === "/v1/models") {
      if (req.method !== "GET") throw new HttpError(405, "use GET /v1/models", { headers: { allow: "GET" } });
      sendJson(res, 200, { object: "list", data: [{ id: modelId, object: "model", created, owned_by: "pyramid-moa" }] });
      return;
    }
    if (path === "/v1/chat/completions") {
      if (req.method !== "POST") throw new HttpError(405, "use POST /v1/chat/completions", { headers: { allow: "POST" } });
      tenants.set(res, gate.identify(req.headers).name);
      const tenant = await gate.admit(req.headers, (name, limit) => metrics?.observeRateLimited(name, limit));
      for (const [name, value] of Object.entries(tenant.headers)) res.setHeader(name, value);
      const request = parseRequest(await readBody(req, maxBodyBytes));
      const messages = toLangChainMessages(request.messages);
      const runnable = runnableFor(model, request);
      const controller = new AbortController();
      controllers.add(controller);
      const onClose = () => {
        if (!res.writableFinished) controller.abort(new Error("the client closed the connection"));
      };
      res.on("close", onClose);
      const config = { signal: controller.signal, tenant: tenant.name, ...(tenant.budget ? { budget: tenant.budget } : {}) };
      try {
        const report = (error: HttpError) => logError(res, error);
        const done = request.stream
          ? await streamAnswer(res, runnable, messages, request, modelId, config, report)
          : await answer(res, runnable, messages, modelId, config);
        await recordAnswer(tenant, done);
      } finally {
        controllers.delete(controller);
        res.off("close", onClose);
      }
      return;
    }
    throw new HttpError(404, `no route ${req.method ?? "GET"} ${url.pathname}`, { code: "not_found" });
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const started = Date.now();
    inFlight++;
    responses.add(res);
    for (const [name, value] of extraHeaders) res.setHeader(name, value);
    res.setHeader("x-request-id", `req_${randomUUID().replace(/-/g, "")}`);
    if (closing) res.setHeader("connection", "close");
    res.on("close", () => {
      inFlight--;
      responses.delete(res);
      log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
      const tenant = tenants.get(res);
      if (tenant !== undefined) metrics?.observeRequest(tenant, res.statusCode, (Date.now() - started) / 1000);
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    handle(req, res).catch((error: unknown) => {
      if (res.destroyed) return;
      const httpError = toHttpError(error);
      logError(res, httpError);
      // After a 413 node:http reads and discards the rest of the body, so the client can read the answer.
      sendError(res, httpError, closing);
    });
  };

  // Slow clients: the whole request (headers and body) within requestTimeoutMs, checked every second.
  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: requestTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, requestTimeoutMs),
    },
    onRequest,
  );
  server.on("checkContinue", checkContinue(maxBodyBytes, (res, error) => sendError(res, error, true), onRequest));

  return {
    server,
    get inFlight() {
      return inFlight;
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
        closing = true;
        for (const res of responses) if (!res.headersSent) res.setHeader("connection", "close");
        const timer = setTimeout(() => {
          for (const controller of controllers) controller.abort(new Error("the server shut down"));
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
