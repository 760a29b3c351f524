import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import type { TrafficRecorder } from "../traces/recorder.js";
import { HttpError } from "./errors.js";
import { readBody } from "./body.js";
import { sendJson } from "./respond.js";

const feedbackBodySchema = z
  .object({
    /** The answer's `pyramid.traceId`. */
    id: z.string().min(1).max(200),
    /** Whether the answer was correct. */
    correct: z.boolean(),
  })
  .strict();

/**
 * `POST /v1/feedback { "id": "<pyramid.traceId>", "correct": true }`: attaches ground truth to an answered query
 * (a line appended to the trace file; `pyramid-moa train --labels feedback|auto` reads it). 400 naming the field for
 * a bad body, 409 when the server writes no traces.
 */
export async function handleFeedback(
  traffic: TrafficRecorder | undefined,
  req: IncomingMessage,
  res: ServerResponse,
  maxBodyBytes: number,
): Promise<void> {
  if (req.method !== "POST") throw new HttpError(405, "use POST /v1/feedback", { headers: { allow: "POST" } });
  let json: unknown;
  try {
    json = JSON.parse((await readBody(req, maxBodyBytes)).toString("utf8"));
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
  traffic.feedback(parsed.data.id, parsed.data.correct);
  sendJson(res, 200, { id: parsed.data.id, recorded: true });
}
