import { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";
import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";

/** Name of LangChain's `streamEvents` handler (`EventStreamCallbackHandler`, not exported by @langchain/core). */
const EVENT_STREAM_HANDLER = "event_stream_tracer";

/**
 * The run manager to report the pyramid's streamed chunks to (`handleLLMNewToken`). When the pyramid is the root
 * run of `streamEvents`, LangChain already turns every chunk the stream yields into an `on_chat_model_stream` event
 * (it taps the output iterator) and skips token callbacks only while no other run is open; the pyramid's member
 * runs are open, so reporting tokens to that handler too would send each chunk twice. It is left out of the token
 * callbacks of that run; every other handler (LangGraph's `messages` stream, tracers) gets each chunk once.
 */
export function tokenCallbacks(runManager: CallbackManagerForLLMRun | undefined): CallbackManagerForLLMRun | undefined {
  if (!runManager || runManager.parentRunId !== undefined) return runManager;
  const tapped = runManager.handlers.some((handler) => handler.name === EVENT_STREAM_HANDLER);
  if (!tapped) return runManager;
  const fields = runManager as unknown as {
    inheritableHandlers: BaseCallbackHandler[];
    tags: string[];
    inheritableTags: string[];
    metadata: Record<string, unknown>;
    inheritableMetadata: Record<string, unknown>;
  };
  return new CallbackManagerForLLMRun(
    runManager.runId,
    runManager.handlers.filter((handler) => handler.name !== EVENT_STREAM_HANDLER),
    fields.inheritableHandlers.filter((handler) => handler.name !== EVENT_STREAM_HANDLER),
    fields.tags,
    fields.inheritableTags,
    fields.metadata,
    fields.inheritableMetadata,
    undefined,
  );
}
