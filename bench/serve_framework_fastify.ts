import { randomUUID } from "node:crypto";
import Fastify from "fastify";
import type { FastifyError, FastifyInstance } from "fastify";
import type { PyramidChatModel } from "../src/chat_models/index.js";
import { InProcessRateLimiter } from "../src/limits/rate_limiter.js";
import { worstCaseTierCost } from "../src/members/estimate.js";
import { reservationTtlMs } from "../src/members/reservation_ttl.js";
import { redactSecrets } from "../src/security/redact.js";
import { bodyTooLarge } from "../src/server/body.js";
import { clientView } from "../src/server/client_view.js";
import { HttpError, logServerError, toHttpError } from "../src/server/errors.js";
import { FeedbackIds, feedbackSecret } from "../src/server/feedback_ids.js";
import { toChatCompletion } from "../src/server/format.js";
import { toLangChainMessages } from "../src/server/messages.js";
import { parseRequest } from "../src/server/request.js";
import { runnableFor } from "../src/server/respond.js";
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_REQUEST_TIMEOUT_MS } from "../src/server/server.js";
import { TenantGate } from "../src/server/tenants.js";
import { DEFAULT_MAX_TOOL_SCHEMA_BYTES, DEFAULT_MAX_TOOL_SCHEMA_DEPTH } from "../src/server/tool_limits.js";

/** Options of {@link fastifyPyramidServer}: the subset of `createPyramidServer`'s the ported routes read. */
export interface FastifyPyramidOptions {
  readonly model: PyramidChatModel;
  readonly modelId?: string;
  readonly token?: string;
  readonly maxBodyBytes?: number;
  readonly errorLog?: (line: string) => void;
}

/**
 * Bench-only (never shipped): `GET /health` and `POST /v1/chat/completions` (non-streaming) of `src/server/` ported
 * to Fastify, for the framework evaluation of docs/libraries.md. Fastify's router, body reading, body limit (its
 * 413), JSON reply and error handler replace `lifecycle.ts`'s request loop, `body.ts`'s `readBody` and `respond.ts`'s
 * `sendJson`; the pyramid's own parts (tenant gate, request validation, ledger hold, client view, error mapping)
 * are the shipped ones, so both servers do the same work per request.
 */
export function fastifyPyramidServer(options: FastifyPyramidOptions): FastifyInstance {
  const { model } = options;
  const modelId = options.modelId ?? "pyramid-moa";
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const errorLog = (line: string): void => (options.errorLog ?? console.error)(redactSecrets(line));
  const gate = new TenantGate([], new InProcessRateLimiter(), model.spec.budget, options.token, false);
  const feedbackIds = new FeedbackIds(feedbackSecret(undefined, options.token ? [options.token] : []));
  const toolLimits = { maxDepth: DEFAULT_MAX_TOOL_SCHEMA_DEPTH, maxBytes: DEFAULT_MAX_TOOL_SCHEMA_BYTES };
  let inFlight = 0;

  const app = Fastify({
    bodyLimit: maxBodyBytes,
    requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
    genReqId: () => `req_${randomUUID().replace(/-/g, "")}`,
    requestIdHeader: false,
    logger: false,
  });
  // The body as bytes, whatever its content type (the shipped server reads any body and parses it as JSON itself).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  app.addHook("onRequest", async (request, reply) => {
    inFlight++;
    reply.header("x-request-id", request.id);
  });
  app.addHook("onResponse", async () => {
    inFlight--;
  });
  // OpenAI's error shape for everything, Fastify's own errors (413, bad content length) included.
  app.setErrorHandler((error: FastifyError, _request, reply) => {
    const http = error.code === "FST_ERR_CTP_BODY_TOO_LARGE" ? bodyTooLarge(maxBodyBytes) : toHttpError(error);
    logServerError(errorLog, reply.raw, http);
    return reply.code(http.status).headers(http.headers).send(http.body());
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new HttpError(404, `no route ${request.method} ${request.url.split("?")[0]}`, { code: "not_found" });
    return reply.code(404).send(error.body());
  });

  app.get("/health", async () => ({ status: "ok", model: modelId, inFlight: Math.max(0, inFlight - 1) }));

  app.post("/v1/chat/completions", async (request, reply) => {
    const tenant = await gate.admit(request.headers, () => undefined);
    reply.headers(tenant.headers);
    const body = parseRequest(request.body as Buffer, toolLimits);
    const messages = toLangChainMessages(body.messages);
    const crowd = model.spec.tiers[0];
    const ledger = gate.ledgerFor(tenant);
    const controller = new AbortController();
    const onClose = (): void => {
      if (!reply.raw.writableFinished) controller.abort(new Error("the client closed the connection"));
    };
    reply.raw.on("close", onClose);
    try {
      await gate.holdCrowd(
        tenant,
        ledger,
        worstCaseTierCost(crowd.members, messages, []),
        reservationTtlMs(crowd.members),
      );
      // The ledger is the pyramid's own call option (PyramidChatModelCallOptions), past RunnableConfig's type.
      const config = { signal: controller.signal, ledger };
      const message = await runnableFor(model, body).invoke(messages, config);
      const view = clientView({ tenant: tenant.name, feedbackIds, errorLog, requestId: request.id });
      const completion = toChatCompletion(message, modelId);
      const shown = completion.choices[0].message;
      if (shown.content !== null) shown.content = view.text(shown.content);
      if (completion.pyramid) completion.pyramid = completion.usage.pyramid = view.pyramid(completion.pyramid);
      return completion;
    } finally {
      reply.raw.off("close", onClose);
      await ledger.release().catch((error: unknown) => errorLog(`budget: could not release a hold: ${String(error)}`));
    }
  });
  return app;
}
