import type { Span } from "@opentelemetry/api";
import type { PyramidMetadata } from "../graph/result.js";
import { endQuerySpan } from "../telemetry/spans.js";

/** Ends a query's OpenTelemetry span with the routing outcome, tokens and costs of the pyramid's answer. */
export function endPyramidSpan(
  span: Span,
  pyramid: PyramidMetadata,
  usage: { input_tokens: number; output_tokens: number } | undefined,
): void {
  endQuerySpan(span, {
    tier: pyramid.tier,
    escalated: pyramid.escalated,
    degraded: pyramid.degraded,
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    costUsd: pyramid.cost.total,
    oracleOnlyUsd: pyramid.cost.oracleOnly,
  });
}
