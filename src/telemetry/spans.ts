import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, Span } from "@opentelemetry/api";
import type { Candidate } from "../core/types.js";

/** Instrumentation scope of every span pyramid-moa starts. */
export const TRACER_NAME = "pyramid-moa";

/** Attribute names used on pyramid-moa spans besides the GenAI semantic conventions. */
export const PYRAMID_ATTRIBUTES = {
  tenant: "pyramid.tenant",
  tierIndex: "pyramid.tier.index",
  tierName: "pyramid.tier.name",
  answeredTier: "pyramid.answer.tier",
  escalated: "pyramid.escalated",
  degraded: "pyramid.degraded",
  costUsd: "pyramid.cost_usd",
  oracleOnlyCostUsd: "pyramid.oracle_only_cost_usd",
  member: "pyramid.member.name",
} as const;

function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Starts the span of one query (`invoke_agent pyramid-moa`, GenAI semantic conventions), a child of the active span
 * when a context manager is registered. With no OpenTelemetry SDK registered this is a non-recording span and
 * costs next to nothing.
 */
export function startQuerySpan(agentName: string, attributes: Attributes = {}): Span {
  return tracer().startSpan(`invoke_agent ${agentName}`, {
    kind: SpanKind.INTERNAL,
    attributes: { "gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": agentName, ...attributes },
  });
}

/** Starts the span of tier `index` of a query, a child of `parent` (the query span). */
export function startTierSpan(parent: Span | undefined, index: number, name: string): Span {
  const ctx = parent ? trace.setSpan(context.active(), parent) : context.active();
  return tracer().startSpan(
    `tier ${name}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: { [PYRAMID_ATTRIBUTES.tierIndex]: index, [PYRAMID_ATTRIBUTES.tierName]: name },
    },
    ctx,
  );
}

/** Ends a tier span with what the tier cost. */
export function endTierSpan(span: Span, costUsd: number, candidates: readonly Candidate[]): void {
  if (span.isRecording()) {
    span.setAttribute(PYRAMID_ATTRIBUTES.costUsd, costUsd);
    if (candidates.every((candidate) => candidate.error !== undefined)) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: "every member of the tier failed" });
    }
  }
  span.end();
}

/**
 * Runs one member call inside a `chat <model>` client span (GenAI semantic conventions: `gen_ai.operation.name`,
 * `gen_ai.request.model`, `gen_ai.usage.input_tokens` / `output_tokens`, `error.type`), a child of the tier span.
 * Neither the prompt nor the answer is recorded.
 */
export async function traceMemberCall(
  parent: Span,
  model: string,
  provider: string | undefined,
  call: () => Promise<Candidate>,
): Promise<Candidate> {
  const span = tracer().startSpan(
    `chat ${model}`,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": model,
        ...(provider ? { "gen_ai.provider.name": provider } : {}),
        [PYRAMID_ATTRIBUTES.member]: model,
      },
    },
    trace.setSpan(context.active(), parent),
  );
  try {
    const candidate = await call();
    if (span.isRecording()) {
      const modelName = candidate.message?.response_metadata?.model_name;
      span.setAttributes({
        "gen_ai.usage.input_tokens": candidate.usage.input,
        "gen_ai.usage.output_tokens": candidate.usage.output,
        [PYRAMID_ATTRIBUTES.costUsd]: candidate.costUsd,
        ...(typeof modelName === "string" ? { "gen_ai.response.model": modelName } : {}),
      });
      if (candidate.error !== undefined) {
        span.setAttribute("error.type", errorType(candidate.error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: candidate.error });
      }
    }
    return candidate;
  } catch (error) {
    span.setAttribute("error.type", error instanceof Error ? error.name : "Error");
    span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    throw error;
  } finally {
    span.end();
  }
}

/** A short, low-cardinality error class from a candidate's error message (`timeout`, `429`, `_OTHER`). */
function errorType(message: string): string {
  if (/timed? ?out|timeout/i.test(message)) return "timeout";
  const status = /\b([45]\d\d)\b/.exec(message);
  return status ? status[1] : "_OTHER";
}

/** The summary of a finished query that {@link endQuerySpan} records. */
export interface QuerySpanSummary {
  /** Tier that answered and whether the query escalated. */
  readonly tier: number;
  readonly escalated: boolean;
  readonly degraded?: boolean;
  /** Token totals over every member call. */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** USD spent, and what the apex alone would have cost. */
  readonly costUsd: number;
  readonly oracleOnlyUsd: number;
}

/** Ends the query span with its outcome (or with the error that ended it). */
export function endQuerySpan(span: Span, outcome: QuerySpanSummary | { readonly error: unknown }): void {
  if (span.isRecording()) {
    if ("error" in outcome) {
      const error = outcome.error;
      span.setAttribute("error.type", error instanceof Error ? error.name : "Error");
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    } else {
      span.setAttributes({
        "gen_ai.usage.input_tokens": outcome.inputTokens,
        "gen_ai.usage.output_tokens": outcome.outputTokens,
        [PYRAMID_ATTRIBUTES.answeredTier]: outcome.tier,
        [PYRAMID_ATTRIBUTES.escalated]: outcome.escalated,
        [PYRAMID_ATTRIBUTES.degraded]: outcome.degraded === true,
        [PYRAMID_ATTRIBUTES.costUsd]: outcome.costUsd,
        [PYRAMID_ATTRIBUTES.oracleOnlyCostUsd]: outcome.oracleOnlyUsd,
      });
    }
  }
  span.end();
}
