import type { IncomingMessage, ServerResponse } from "node:http";
import type { PyramidChatModel } from "../chat_models/index.js";
import { HttpError } from "./errors.js";
import type { ServerState } from "./lifecycle.js";
import { toLangChainMessages } from "./messages.js";
import { parseRequest, readBody, tokenMatches } from "./request.js";
import { answer, runnableFor, sendJson, streamAnswer } from "./respond.js";
import { handleFeedback } from "./feedback.js";

/** What the routes answer with: the pyramid, its id, the token and body limit, and the server's state. */
export interface RouteContext {
  readonly model: PyramidChatModel;
  readonly modelId: string;
  readonly token?: string;
  readonly maxBodyBytes: number;
  /** When the server was created (seconds), listed by `GET /v1/models`. */
  readonly created: number;
  readonly state: ServerState;
}

/**
 * Answers one request: `GET /health`, then (behind the bearer token) `GET /v1/models` and
 * `POST /v1/chat/completions`; anything else throws an {@link HttpError} (404, 405, 503 while closing).
 */
export async function route(context: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { model, modelId, token, maxBodyBytes, created, state } = context;
  const { controllers } = state;
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname.replace(/\/+$/, "") || "/";
  if (state.closing) throw new HttpError(503, "the server is shutting down", { code: "shutting_down", headers: { connection: "close" } });
  if (path === "/health") {
    if (req.method !== "GET") throw new HttpError(405, "use GET /health", { headers: { allow: "GET" } });
    // The /health request itself is counted by the server while it runs: report the others.
    sendJson(res, 200, { status: "ok", model: modelId, inFlight: Math.max(0, state.inFlight - 1) });
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
    if (id !== modelId) throw new HttpError(404, `no model "${id}": this server serves "${modelId}"`, { code: "model_not_found" });
    sendJson(res, 200, { id: modelId, object: "model", created, owned_by: "pyramid-moa" });
    return;
  }
  if (path === "/v1/feedback") return handleFeedback(model, req, res, maxBodyBytes);
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
