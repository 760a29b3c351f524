import { z } from "zod";
import type { PyramidChatModel } from "../chat_models/index.js";
import { TrafficRecorder } from "../traces/recorder.js";
import { nowSeconds } from "./format.js";
import { serveRequests } from "./lifecycle.js";
import type { PyramidServer, ServerState } from "./lifecycle.js";
import { route } from "./routes.js";
import { validate } from "../errors/validate.js";
import { logServerError } from "./errors.js";
import { PyramidMetrics } from "./metrics.js";
import { TenantGate } from "./tenants.js";
import type { ServerTenant } from "./tenants.js";
import { InProcessRateLimiter } from "../limits/rate_limiter.js";
import type { RateLimiter } from "../limits/rate_limiter.js";
import type { ServerResponse } from "node:http";
import { DEFAULT_MAX_TOOL_SCHEMA_BYTES, DEFAULT_MAX_TOOL_SCHEMA_DEPTH } from "./tool_limits.js";
import { FEEDBACK_SECRET_ENV, FeedbackIds, feedbackSecret } from "./feedback_ids.js";
import { redactSecrets, registerSecret } from "../security/redact.js";
import { RedisFeedbackClaims } from "../redis/feedback_claims.js";
import type { FeedbackClaims } from "../redis/feedback_claims.js";
import { RedisRateLimiter } from "../redis/rate_limit.js";

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
  /** Receives the details of 5xx errors and members' whole errors (never sent to clients). Default: `log`, else stderr. */
  readonly errorLog?: (line: string) => void;
  /**
   * Records production traces and shadow calls (`serve --traces`): attached as a callback handler to every chat
   * completion, and where `POST /v1/feedback` writes. None: nothing is recorded and feedback answers 409.
   */
  readonly traffic?: TrafficRecorder;
  /**
   * When the budget store (Redis) cannot be reached at admission: refuse with 503 and `retry-after` (`false`, the
   * default: fail closed), or admit the request without its budget check and hold (`true`: fail open).
   */
  readonly budgetFailOpen?: boolean;
  /**
   * Secret binding the trace ids handed out to their tenant (`POST /v1/feedback`); give the same one to every process
   * serving the same traces. Default: the `PYRAMID_FEEDBACK_SECRET` variable, else derived from the tenants' keys and
   * `token`, else random for this process.
   */
  readonly feedbackSecret?: string;
  /** Labelled trace ids remembered in this process to refuse a second label (default 200,000). */
  readonly feedbackRemembered?: number;
  /**
   * Where labelled trace ids are remembered across processes; default: a {@link RedisFeedbackClaims} on the
   * `rateLimiter`'s connection when it is a `RedisRateLimiter`, else this process's memory.
   */
  readonly feedbackClaims?: FeedbackClaims;
  /** Deepest nesting of a tool's `parameters` schema (else 400 before any member is called). Default 32. */
  readonly maxToolSchemaDepth?: number;
  /** Largest size of a request's tool definitions together, in bytes of JSON (else 400). Default 256 KiB. */
  readonly maxToolSchemaBytes?: number;
}

const optionsSchema = z.object({
  model: z.custom<PyramidChatModel>(
    (value) =>
      typeof value === "object" && value !== null && typeof (value as { invoke?: unknown }).invoke === "function",
    { message: "expected a PyramidChatModel" },
  ),
  modelId: z.string().min(1).optional(),
  token: z.string().min(1, "must not be empty (an empty token would accept anyone)").optional(),
  maxBodyBytes: z.number().int().positive().optional(),
  shutdownTimeoutMs: z.number().int().nonnegative().optional(),
  log: z.function().optional(),
  errorLog: z.function().optional(),
  budgetFailOpen: z.boolean().optional(),
  traffic: z.instanceof(TrafficRecorder, { message: "expected a TrafficRecorder (pyramid-moa/traces)" }).optional(),
  tenants: z
    .array(
      z
        .object({
          name: z.string().min(1),
          key: z.string().min(1, "must not be empty (an empty key would accept anyone)"),
        })
        .loose(),
    )
    .optional(),
  rateLimiter: z
    .custom<RateLimiter>((v) => typeof (v as RateLimiter | undefined)?.admit === "function", {
      message: "expected a RateLimiter",
    })
    .optional(),
  metrics: z.union([z.instanceof(PyramidMetrics), z.literal(false)]).optional(),
  requestTimeoutMs: z.number().int().positive().optional(),
  feedbackSecret: z.string().min(16, "must be at least 16 characters").optional(),
  feedbackRemembered: z.number().int().positive().optional(),
  feedbackClaims: z
    .custom<FeedbackClaims>((v) => typeof (v as FeedbackClaims | undefined)?.claim === "function", {
      message: "expected a FeedbackClaims (a claim(id) method)",
    })
    .optional(),
  maxToolSchemaDepth: z.number().int().positive().optional(),
  maxToolSchemaBytes: z.number().int().positive().optional(),
  headers: z
    .record(z.string(), z.string().regex(/^[^\r\n\0]*$/, "must not contain line breaks"))
    .superRefine((headers, ctx) => {
      for (const name of Object.keys(headers)) {
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name))
          ctx.addIssue({ code: "custom", path: [name], message: "is not a valid HTTP header name" });
      }
    })
    .optional(),
});

/**
 * Creates an OpenAI-compatible HTTP server (node:http) answering with a {@link PyramidChatModel}:
 * `POST /v1/chat/completions` (JSON, or SSE streaming in OpenAI's chunk format ending with `data: [DONE]`;
 * `tools`/`tool_choice` bound to every member; `usage`), `GET /v1/models`, `GET /health`. The routing trace
 * is in the `pyramid` field of the completion (and of the streamed chunk that carries `finish_reason`).
 * Errors use OpenAI's JSON shape: 400 (validation), 401 (bearer token or tenant key), 402 (tenant budget spent),
 * 404, 405, 413 (body size), 429 (tenant rate), 5xx (a fixed message; the details go to `errorLog`).
 * `GET /metrics` serves Prometheus metrics per tenant. See docs/server.md.
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
  const { model, log } = options;
  const errorLog = options.errorLog ?? log ?? ((line: string) => console.error(line));
  const metrics = options.metrics === false ? undefined : (options.metrics ?? new PyramidMetrics());
  const gate = new TenantGate(
    options.tenants ?? [],
    options.rateLimiter ?? new InProcessRateLimiter(),
    model.spec.budget,
    options.token,
    options.budgetFailOpen ?? false,
  );
  if (metrics && model.spec.budget) metrics.watchBudget("global", model.spec.budget);
  for (const [name, budget] of gate.budgets()) metrics?.watchBudget(name, budget);
  const keys = [...(options.tenants ?? []).map((tenant) => tenant.key), ...(options.token ? [options.token] : [])];
  for (const key of keys) registerSecret(key);
  const secret = options.feedbackSecret ?? process.env[FEEDBACK_SECRET_ENV];
  registerSecret(secret);
  const claims =
    options.feedbackClaims ??
    (options.rateLimiter instanceof RedisRateLimiter ? new RedisFeedbackClaims(options.rateLimiter.redis) : undefined);
  const feedbackIds = new FeedbackIds(feedbackSecret(secret, keys), options.feedbackRemembered, claims);
  const tenants = new WeakMap<ServerResponse, string>();
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const context = {
    model,
    modelId: options.modelId ?? "pyramid-moa",
    maxBodyBytes,
    created: nowSeconds(),
    state,
    gate,
    metrics,
    errorLog: (line: string) => errorLog(redactSecrets(line)),
    feedbackIds,
    toolLimits: {
      maxDepth: options.maxToolSchemaDepth ?? DEFAULT_MAX_TOOL_SCHEMA_DEPTH,
      maxBytes: options.maxToolSchemaBytes ?? DEFAULT_MAX_TOOL_SCHEMA_BYTES,
    },
    ...(options.traffic ? { traffic: options.traffic } : {}),
    onTenant: (res: ServerResponse, tenant: string) => tenants.set(res, tenant),
  };
  return serveRequests((req, res) => route(context, req, res), state, {
    headers: Object.entries(options.headers ?? {}),
    log: log ? (line: string) => log(redactSecrets(line)) : undefined,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 30_000,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    maxBodyBytes,
    onError: (res, error) => logServerError((line) => errorLog(redactSecrets(line)), res, error),
    onFinished: (res, seconds) => {
      const tenant = tenants.get(res);
      if (tenant !== undefined) metrics?.observeRequest(tenant, res.statusCode, seconds);
    },
  });
}
