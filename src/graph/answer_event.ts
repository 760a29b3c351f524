import type { PyramidResult } from "./result.js";
import type { PyramidSpec } from "./spec.js";
import type { PyramidStateType } from "./state.js";

/** Name of the LangChain custom callback event a pyramid dispatches once per answered query. */
export const PYRAMID_ANSWER_EVENT = "pyramid_answer";

/** What a handler may add to the answer's `response_metadata.pyramid` (a traffic recorder adds these two). */
export interface PyramidAnswerAnnotations {
  /** The query's id in a production trace file: pass it to the recorder's `feedback(id, correct)`. */
  traceId?: string;
  /** Whether the query was drawn for a background shadow call to the apex. */
  shadow?: boolean;
}

/**
 * The data of the {@link PYRAMID_ANSWER_EVENT} custom event: the pyramid, the final graph state and the result of
 * one answered query, before the answer is handed back. A callback handler that must annotate the answer (a
 * handler with `awaitHandlers: true`, such as the traffic recorder of `pyramid-moa/traces`) fills `annotations`.
 */
export interface PyramidAnswerEvent {
  /** The resolved pyramid that answered. */
  readonly spec: PyramidSpec;
  /** The graph's final state (every tier's candidates, every decision). */
  readonly state: PyramidStateType;
  /** The answer and its `pyramid` metadata. */
  readonly result: PyramidResult;
  /** Time from the call to the answer, in ms. */
  readonly latencyMs: number;
  /** Added to `response_metadata.pyramid` once the awaited handlers have run. */
  readonly annotations: PyramidAnswerAnnotations;
}

/** Whether `value` is the data of a {@link PYRAMID_ANSWER_EVENT}. */
export function isPyramidAnswerEvent(value: unknown): value is PyramidAnswerEvent {
  if (typeof value !== "object" || value === null) return false;
  const event = value as Partial<Record<keyof PyramidAnswerEvent, unknown>>;
  return (
    typeof event.spec === "object" &&
    typeof event.state === "object" &&
    typeof event.result === "object" &&
    typeof event.annotations === "object" &&
    event.annotations !== null
  );
}
