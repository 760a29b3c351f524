import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { TrafficRecorder } from "../traces/recorder.js";
import { HttpError } from "./errors.js";
import { readBody } from "./body.js";
import type { FeedbackIds } from "./feedback_ids.js";
import { sendJson } from "./respond.js";
import type { TenantGate } from "./tenants.js";

const feedbackBodySchema = z
  .object({
    /** The answer's `pyramid.traceId` (the handle this server gave the tenant). */
    id: z.string().min(1).max(200),
    /** Whether the answer was correct. */
    correct: z.boolean(),
  })
  .strict();

/** Largest feedback body accepted (413 beyond): `{ "id": <200 characters>, "correct": false }` fits many times over. */
export const MAX_FEEDBACK_BODY_BYTES = 4096;

/** What the feedback route needs besides the request. */
export interface FeedbackContext {
  /** Where feedback is written (the server's traffic recorder); none: 409. */
  readonly traffic?: TrafficRecorder;
  readonly gate: TenantGate;
  readonly feedbackIds: FeedbackIds;
  readonly maxBodyBytes: number;
  /** Called when the tenant's feedback rate refused a post (for the rate-limited metric). */
  readonly onRateLimited?: (tenant: string) => void;
}

/** The same answer for an id never issued and for another tenant's, so that ids cannot be probed. */
function unknownId(): HttpError {
  return new HttpError(
    404,
    "no answer with this id for this tenant (send the pyramid.traceId of one of your answers)",
    {
      param: "id",
      code: "trace_not_found",
    },
  );
}

/**
 * `POST /v1/feedback { "id": "<pyramid.traceId>", "correct": true }`: attaches ground truth to an answered query
 * (a line appended to the trace file; `pyramid-moa train --labels feedback|auto` reads it). Only the tenant that made
 * the request can label it, once: 404 for an id this server did not give this tenant (made up or another tenant's,
 * the same answer), 409 `already_labelled` for a second label, 429 with `retry-after` past the tenant's feedback rate
 * (`feedbackPerMinute`, default its `requestsPerMinute`), 400 naming the field for a bad body, 409 when the server
 * writes no traces. Each answered request thus adds at most one bounded line to the trace.
 */
export async function handleFeedback(
  context: FeedbackContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { traffic, gate, feedbackIds, maxBodyBytes } = context;
  if (req.method !== "POST") throw new HttpError(405, "use POST /v1/feedback", { headers: { allow: "POST" } });
  gate.identify(req.headers);
  // The body is read whole before any answer (so the connection stays usable), within a small limit: an id and a flag.
  const body = await readBody(req, Math.min(maxBodyBytes, MAX_FEEDBACK_BODY_BYTES));
  const tenant = await gate.admitFeedback(req.headers, context.onRateLimited);
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    throw new HttpError(400, "the request body is not valid JSON", { code: "invalid_json" });
  }
  const parsed = feedbackBodySchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue.path.map(String).join(".") || null;
    throw new HttpError(
      400,
      `${param ?? "body"}: ${issue.message} (send { "id": "<pyramid.traceId>", "correct": true|false })`,
      { param, code: "invalid_value" },
    );
  }
  if (traffic?.file === undefined) {
    throw new HttpError(
      409,
      "this server writes no traces, so feedback cannot be recorded (start it with --traces <file>)",
      { code: "traces_disabled" },
    );
  }
  const traceId = feedbackIds.verify(parsed.data.id, tenant.name);
  if (traceId === undefined) throw unknownId();
  let fresh: boolean;
  try {
    fresh = await feedbackIds.claim(traceId);
  } catch (error) {
    throw new HttpError(503, "feedback cannot be recorded right now; retry later", {
      code: "feedback_unavailable",
      headers: { ...tenant.headers, "retry-after": "1" },
      detail: `feedback claims: ${String(error)}`,
    });
  }
  if (!fresh)
    throw new HttpError(409, "this answer already has feedback (one label per answer)", {
      param: "id",
      code: "already_labelled",
      headers: tenant.headers,
    });
  traffic.feedback(traceId, parsed.data.correct);
  sendJson(res, 200, { id: parsed.data.id, recorded: true }, tenant.headers);
}
