import { AIMessage } from "@langchain/core/messages";
import type { PyramidResult } from "../graph/result.js";
import type { TrafficMetadata } from "../traces/recorder.js";

/** The result with the trace id and the shadow draw added to its `pyramid` metadata (unchanged without traffic). */
export function withTrafficMetadata(result: PyramidResult, traffic: TrafficMetadata | undefined): PyramidResult {
  if (!traffic) return result;
  const pyramid = { ...result.pyramid, traceId: traffic.traceId, shadow: traffic.shadow };
  const source = result.message;
  const message = new AIMessage({
    content: source.content,
    tool_calls: source.tool_calls ?? [],
    usage_metadata: source.usage_metadata,
    response_metadata: { ...source.response_metadata, pyramid },
  });
  return { message, pyramid };
}
