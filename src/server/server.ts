import { z } from "zod";
import type { PyramidChatModel } from "../chat_models/index.js";
import { nowSeconds } from "./format.js";
import { serveRequests } from "./lifecycle.js";
import type { PyramidServer, ServerState } from "./lifecycle.js";
import { route } from "./routes.js";
import { validate } from "../errors/validate.js";

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
  validate(optionsSchema, options, { field: "createPyramidServer", fix: "see docs/server.md" });
  const state: ServerState = { inFlight: 0, closing: false, controllers: new Set<AbortController>() };
  const context = {
    model: options.model,
    modelId: options.modelId ?? "pyramid-moa",
    token: options.token,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    created: nowSeconds(),
    state,
  };
  return serveRequests((req, res) => route(context, req, res), state, {
    headers: Object.entries(options.headers ?? {}),
    log: options.log,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 30_000,
  });
}
