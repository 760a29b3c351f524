import type { IncomingMessage, ServerResponse } from "node:http";
import type { PyramidChatModel } from "../chat_models/index.js";
import { readBody } from "./body.js";
import { HttpError, logServerError } from "./errors.js";
import type { ServerState } from "./lifecycle.js";
import { toLangChainMessages } from "./messages.js";
import type { PyramidMetrics } from "./metrics.js";
import { parseRequest } from "./request.js";
import { requestDeadlineMs } from "./deadline.js";
import { answer, runnableFor, sendJson, streamAnswer } from "./respond.js";
import { handleFeedback } from "./feedback.js";
import type { FeedbackIds } from "./feedback_ids.js";
import { clientView } from "./client_view.js";
import type { ToolSchemaLimits } from "./tool_limits.js";
import type { Answered } from "./respond.js";
import type { AdmittedTenant, TenantGate } from "./tenants.js";
import type { ChatCompletionRequest } from "./schema.js";
import type { BaseMessage } from "@langchain/core/messages";
import type { Ledger } from "../ledger/ledger.js";
import type { TrafficRecorder } from "../traces/recorder.js";
import { worstCaseTierCost } from "../members/estimate.js";
import { reservationTtlMs } from "../members/reservation_ttl.js";

/** What the routes answer with: the pyramid, its id, the tenants and body limit, metrics, and the server's state. */
export interface RouteContext {
  readonly model: PyramidChatModel;
  readonly modelId: string;
  readonly maxBodyBytes: number;
  /** When the server was created (seconds), listed by `GET /v1/models`. */
  readonly created: number;
  readonly state: ServerState;
  /** Authenticates requests (the bearer token or the tenants' keys) and admits them (budgets, rate limits). */
  readonly gate: TenantGate;
  /** Served at `GET /metrics`, fed by every answer; none = no such route. */
  readonly metrics?: PyramidMetrics;
  /** Records the tenant a chat completion request was counted against (for the request metrics). */
  readonly onTenant: (res: ServerResponse, tenant: string) => void;
  /** The server's log, for the details of 5xx errors, members' whole errors and failures of the rate limiter. */
  readonly errorLog: (line: string) => void;
  /** Records traces and shadow calls of every answer (a callback handler), and feedback. */
  readonly traffic?: TrafficRecorder;
  /** Binds the trace ids handed out to their tenant, for `POST /v1/feedback`. */
  readonly feedbackIds: FeedbackIds;
  /** Depth and size limits of the requests' tool schemas. */
  readonly toolLimits: ToolSchemaLimits;
}

async function recordAnswer(context: RouteContext, tenant: AdmittedTenant, done: Answered): Promise<void> {
  const input = done.usage?.input_tokens ?? 0;
  const output = done.usage?.output_tokens ?? 0;
  if (done.pyramid) context.metrics?.observeAnswer(tenant.name, done.pyramid, { input, output });
  await context.gate
    .recordTokens(tenant, input + output)
    .catch((error: unknown) => context.errorLog(`rate limiter: ${String(error)}`));
}

/**
 * Answers one request: `GET /health` and `GET /metrics`, then (behind the token or a tenant's key) `GET /v1/models`
 * and `POST /v1/chat/completions` (admitted by the tenant's budget and rate limits first); anything else throws an
 * {@link HttpError} (401, 402, 404, 405, 413, 429, 503 while closing).
 */
export async function route(context: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { model, modelId, maxBodyBytes, created, state, gate, metrics } = context;
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  if (state.closing)
    throw new HttpError(503, "the server is shutting down", {
      code: "shutting_down",
      headers: { connection: "close" },
    });
  if (path === "/health") {
    if (req.method !== "GET") throw new HttpError(405, "use GET /health", { headers: { allow: "GET" } });
    // The /health request itself is counted by the server while it runs: report the others.
    sendJson(res, 200, { status: "ok", model: modelId, inFlight: Math.max(0, state.inFlight - 1) });
    return;
  }
  if (path === "/metrics" && metrics) {
    if (req.method !== "GET") throw new HttpError(405, "use GET /metrics", { headers: { allow: "GET" } });
    const text = await metrics.text();
    res.writeHead(200, {
      "content-type": metrics.registry.contentType,
      "content-length": String(Buffer.byteLength(text)),
    });
    res.end(text);
    return;
  }
  if (path.startsWith("/v1/") && path !== "/v1/chat/completions") gate.identify(req.headers);
  if (path === "/v1/models") {
    if (req.method !== "GET") throw new HttpError(405, "use GET /v1/models", { headers: { allow: "GET" } });
    sendJson(res, 200, { object: "list", data: [{ id: modelId, object: "model", created, owned_by: "pyramid-moa" }] });
    return;
  }
  if (path.startsWith("/v1/models/")) {
    // GET /v1/models/{id} (the openai client's models.retrieve); ids may contain slashes.
    if (req.method !== "GET") throw new HttpError(405, "use GET /v1/models/{id}", { headers: { allow: "GET" } });
    const raw = path.slice("/v1/models/".length);
    let id = raw;
    try {
      id = decodeURIComponent(raw);
    } catch {
      // A malformed escape is simply not the model's id.
    }
    if (id !== modelId)
      throw new HttpError(404, `no model "${id}": this server serves "${modelId}"`, { code: "model_not_found" });
    sendJson(res, 200, { id: modelId, object: "model", created, owned_by: "pyramid-moa" });
    return;
  }
  if (path === "/v1/feedback")
    return handleFeedback(
      {
        ...(context.traffic ? { traffic: context.traffic } : {}),
        gate,
        feedbackIds: context.feedbackIds,
        maxBodyBytes,
        onRateLimited: (name) => metrics?.observeRateLimited(name, "requests"),
      },
      req,
      res,
    );
  if (path === "/v1/chat/completions") {
    if (req.method !== "POST")
      throw new HttpError(405, "use POST /v1/chat/completions", { headers: { allow: "POST" } });
    context.onTenant(res, gate.identify(req.headers).name);
    const tenant = await gate.admit(req.headers, (name, limit) => metrics?.observeRateLimited(name, limit));
    for (const [name, value] of Object.entries(tenant.headers)) res.setHeader(name, value);
    const request = parseRequest(await readBody(req, maxBodyBytes), context.toolLimits);
    const messages = toLangChainMessages(request.messages);
    // All the request's money goes through one ledger: the tenant's own budget holds what the crowd is expected
    // to cost before it runs (402 when it cannot); the graph settles it and reserves escalations through it.
    const crowd = model.spec.tiers[0];
    const ledger = gate.ledgerFor(tenant);
    try {
      await gate.holdCrowd(
        tenant,
        ledger,
        worstCaseTierCost(crowd.members, messages, []),
        reservationTtlMs(crowd.members),
      );
      await answerCompletion(context, res, tenant, request, messages, ledger, requestDeadlineMs(request, req.headers));
    } finally {
      await ledger
        .release()
        .catch((error: unknown) => context.errorLog(`budget: could not release a hold: ${String(error)}`));
    }
    return;
  }
  throw new HttpError(404, `no route ${req.method ?? "GET"} ${url.pathname}`, { code: "not_found" });
}

/** Answers an admitted chat completion request (streamed or not) and records what it used. */
async function answerCompletion(
  context: RouteContext,
  res: ServerResponse,
  tenant: AdmittedTenant,
  request: ChatCompletionRequest,
  messages: BaseMessage[],
  ledger: Ledger,
  deadlineMs?: number,
): Promise<void> {
  const { model, modelId, gate } = context;
  const { controllers } = context.state;
  const runnable = runnableFor(model, request);
  const controller = new AbortController();
  controllers.add(controller);
  const onClose = () => {
    if (!res.writableFinished) controller.abort(new Error("the client closed the connection"));
  };
  res.on("close", onClose);
  const config = {
    signal: controller.signal,
    ledger,
    ...(deadlineMs !== undefined ? { deadlineMs } : {}),
    ...(context.traffic ? { callbacks: [context.traffic] } : {}),
  };
  const view = clientView({
    tenant: tenant.name,
    feedbackIds: context.feedbackIds,
    errorLog: context.errorLog,
    requestId: String(res.getHeader("x-request-id")),
  });
  try {
    const done = request.stream
      ? await streamAnswer(
          res,
          runnable,
          messages,
          request,
          modelId,
          config,
          (error) => logServerError(context.errorLog, res, error),
          view,
        )
      : await answer(res, runnable, messages, modelId, config, view);
    await recordAnswer(context, tenant, done);
    if (done.pyramid) gate.observeCrowdCost(done.pyramid.cost.byTier[model.spec.tiers[0].name] ?? 0);
  } finally {
    controllers.delete(controller);
    res.off("close", onClose);
  }
}
