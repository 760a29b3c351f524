import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import { AIMessage } from "@langchain/core/messages";
import { PYRAMID_ANSWER_EVENT } from "../graph/answer_event.js";
import type { PyramidAnswerEvent } from "../graph/answer_event.js";
import { pyramidResult } from "../graph/result.js";
import type { PyramidResult } from "../graph/result.js";
import type { PyramidSpec } from "../graph/spec.js";
import type { PyramidStateType } from "../graph/state.js";

/**
 * The result of an answered query, after the `pyramid_answer` custom event went to the run's callback handlers
 * (a traffic recorder records it there): what the awaited handlers annotated is added to its `pyramid` metadata.
 */
export async function announceAnswer(
  runManager: CallbackManagerForLLMRun | undefined,
  spec: PyramidSpec,
  state: PyramidStateType,
  latencyMs: number,
): Promise<PyramidResult> {
  const result = pyramidResult(spec, state);
  if (!runManager) return result;
  const event: PyramidAnswerEvent = { spec, state, result, latencyMs, annotations: {} };
  await runManager.handleCustomEvent(PYRAMID_ANSWER_EVENT, event, runManager.runId);
  const { traceId, shadow } = event.annotations;
  if (traceId === undefined && shadow === undefined) return result;
  const pyramid = {
    ...result.pyramid,
    ...(traceId !== undefined ? { traceId } : {}),
    ...(shadow !== undefined ? { shadow } : {}),
  };
  const source = result.message;
  const message = new AIMessage({
    content: source.content,
    tool_calls: source.tool_calls ?? [],
    usage_metadata: source.usage_metadata,
    response_metadata: { ...source.response_metadata, pyramid },
  });
  return { message, pyramid };
}
