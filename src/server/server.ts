import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID, timingSafeEqual } from "node:crypto";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { Runnable, RunnableConfig } from "@langchain/core/runnables";
import { z } from "zod";
import type { PyramidChatModel } from "../chat_models/index.js";
import { formatPath } from "../config/issues.js";
import { PyramidConfigError } from "../errors/index.js";
import type { PyramidMetadata } from "../graphs/result.js";
import { HttpError, toHttpError } from "./errors.js";
import {
  chunk,
  completionId,
  contentText,
  nowSeconds,
  toChatCompletion,
  toToolCallDeltas,
  toUsage,
  usageChunk,
} from "./format.js";
import type { ChunkHeader } from "./format.js";
import { toLangChainMessages } from "./messages.js";
import { chatCompletionRequestSchema } from "./schema.js";
import type { ChatCompletionRequest } from "./schema.js";

/** Default request-body limit: 1 MiB. */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

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

type ChatRunnable = Runnable<BaseLanguageModelInput, AIMessageChunk>;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, error: HttpError, closing: boolean): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  sendJson(res, error.status, error.body(), { ...error.headers, ...(closing ? { connection: "close" } : {}) });
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1].trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Reads the body; over `limit` bytes it drains the rest (so the client can read the 413) and throws. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    const tooLarge = () =>
      new HttpError(413, `request body is larger than ${limit} bytes`, { code: "request_too_large", param: null, headers: { connection: "close" } });
    const parts: Buffer[] = [];
    let size = 0;
    let over = Number.isFinite(declared) && declared > limit;
    const drainCap = Math.max(limit * 8, 16 * 1024 * 1024);
    req.on("data", (part: Buffer) => {
      size += part.length;
      if (size > limit) over = true;
      if (over) {
        parts.length = 0;
        if (size > drainCap) {
          reject(tooLarge());
          req.destroy();
        }
        return;
      }
      parts.push(part);
    });
    req.on("end", () => (over ? reject(tooLarge()) : resolve(Buffer.concat(parts))));
    req.on("error", reject);
  });
}

function parseRequest(raw: Buffer): ChatCompletionRequest {
  let json: unknown;
  try {
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    throw new HttpError(400, "the request body is not valid JSON", { code: "invalid_json" });
  }
  const parsed = chatCompletionRequestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.filter((s): s is string | number => typeof s !== "symbol");
    const param = path.length > 0 ? formatPath(path) : null;
    let message = issue.message;
    if (issue.code === "invalid_union" && "note" in issue && issue.note === "No matching discriminator") {
      message = 'must be one of "system", "developer", "user", "assistant", "tool"';
    }
    throw new HttpError(400, `${param ?? "body"}: ${message}`, { param, code: "invalid_value" });
  }
  const request = parsed.data;
  const choice = request.tool_choice;
  if (typeof choice === "object" && !(request.tools ?? []).some((tool) => tool.function.name === choice.function.name)) {
    throw new HttpError(400, `tool_choice names "${choice.function.name}", which is not in tools`, { param: "tool_choice", code: "invalid_value" });
  }
  if (choice !== undefined && choice !== "none" && (request.tools ?? []).length === 0) {
    throw new HttpError(400, "tool_choice is set but no tools are given", { param: "tool_choice", code: "invalid_value" });
  }
  return request;
}

function runnableFor(model: PyramidChatModel, request: ChatCompletionRequest): ChatRunnable {
  const tools = request.tools ?? [];
  if (tools.length === 0 || request.tool_choice === "none") return model;
  return model.bindTools(tools as BindToolsInput[], request.tool_choice ? { tool_choice: request.tool_choice } : undefined) as ChatRunnable;
}

async function answer(res: ServerResponse, runnable: ChatRunnable, messages: BaseMessage[], modelId: string, config: RunnableConfig): Promise<void> {
  const message = await runnable.invoke(messages, config);
  sendJson(res, 200, toChatCompletion(message, modelId));
}

function writeEvent(res: ServerResponse, data: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

async function streamAnswer(
  res: ServerResponse,
  runnable: ChatRunnable,
  messages: BaseMessage[],
  request: ChatCompletionRequest,
  modelId: string,
  config: RunnableConfig,
): Promise<void> {
  const header: ChunkHeader = { id: completionId(), created: nowSeconds(), model: modelId };
  const stream = await runnable.stream(messages, config);
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" });
    writeEvent(res, chunk(header, { role: "assistant", content: "" }));
  };
  let pyramid: PyramidMetadata | undefined;
  let usage: AIMessageChunk["usage_metadata"];
  const toolIds = new Map<number, string>();
  try {
    for await (const piece of stream) {
      const text = contentText(piece.content);
      const deltas = toToolCallDeltas(piece).map((delta) => {
        if (toolIds.has(delta.index)) return delta;
        const id = delta.id ?? `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
        toolIds.set(delta.index, id);
        return { ...delta, id, type: "function" as const };
      });
      if (piece.response_metadata?.pyramid) pyramid = piece.response_metadata.pyramid as PyramidMetadata;
      if (piece.usage_metadata) usage = piece.usage_metadata;
      if (text.length > 0) {
        start();
        writeEvent(res, chunk(header, { content: text }));
      }
      if (deltas.length > 0) {
        start();
        writeEvent(res, chunk(header, { tool_calls: deltas }));
      }
    }
  } catch (error) {
    if (!started) throw error;
    writeEvent(res, toHttpError(error).body());
    if (!res.destroyed) res.end();
    return;
  }
  start();
  writeEvent(res, chunk(header, {}, toolIds.size > 0 ? "tool_calls" : "stop", pyramid ? { pyramid } : {}));
  if (request.stream_options?.include_usage) writeEvent(res, usageChunk(header, toUsage(usage, pyramid)));
  writeEvent(res, "[DONE]");
  res.end();
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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (closing) throw new HttpError(503, "the server is shutting down", { code: "shutting_down", headers: { connection: "close" } });
    if (path === "/health") {
      if (req.method !== "GET") throw new HttpError(405, "use GET /health", { headers: { allow: "GET" } });
      sendJson(res, 200, { status: "ok", model: modelId, inFlight });
      return;
    }
    if (path.startsWith("/v1/") && token !== undefined && !tokenMatches(req.headers.authorization, token)) {
      throw new HttpError(401, "missing or invalid bearer token (send Authorization: Bearer <token>)", {
        type: "authentication_error",
        code: "invalid_api_key",
        headers: { "www-authenticate": "Bearer" },
      });
    }
    if (path === "/v1/models") {
      if (req.method !== "GET") throw new HttpError(405, "use GET /v1/models", { headers: { allow: "GET" } });
      sendJson(res, 200, { object: "list", data: [{ id: modelId, object: "model", created, owned_by: "pyramid-moa" }] });
      return;
    }
    if (path === "/v1/chat/completions") {
      if (req.method !== "POST") throw new HttpError(405, "use POST /v1/chat/completions", { headers: { allow: "POST" } });
      const request = parseRequest(await readBody(req, maxBodyBytes));
      const messages = toLangChainMessages(request.messages);
      const runnable = runnableFor(model, request);
      const controller = new AbortController();
      controllers.add(controller);
      const onClose = () => {
        if (!res.writableFinished) controller.abort(new Error("the client closed the connection"));
      };
      res.on("close", onClose);
      try {
        if (request.stream) await streamAnswer(res, runnable, messages, request, modelId, { signal: controller.signal });
        else await answer(res, runnable, messages, modelId, { signal: controller.signal });
      } finally {
        controllers.delete(controller);
        res.off("close", onClose);
      }
      return;
    }
    throw new HttpError(404, `no route ${req.method ?? "GET"} ${url.pathname}`, { code: "not_found" });
  }

  const server = createServer((req, res) => {
    const started = Date.now();
    inFlight++;
    responses.add(res);
    for (const [name, value] of extraHeaders) res.setHeader(name, value);
    if (closing) res.setHeader("connection", "close");
    res.on("close", () => {
      inFlight--;
      responses.delete(res);
      log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started}ms`);
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
    handle(req, res).catch((error: unknown) => {
      if (res.destroyed) return;
      const httpError = toHttpError(error);
      sendError(res, httpError, closing);
      // A 413 left unread body bytes behind: end the connection rather than parse them as a request.
      if (httpError.status === 413) res.on("finish", () => req.socket.end());
    });
  });

  return {
    server,
    get inFlight() {
      return inFlight;
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
