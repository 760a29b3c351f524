import { CallbackManager } from "@langchain/core/callbacks/manager";
import type { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { CallbackManagerForLLMRun } from "@langchain/core/callbacks/manager";

/**
 * A callback manager whose runs are children of the pyramid's own chat-model run, so that every graph node
 * and every member call shows up nested under it in a trace. (LangChain's LLM run managers have no
 * `getChild()`, unlike chain run managers; this does the same for an LLM run.)
 */
export function childCallbacks(runManager: CallbackManagerForLLMRun | undefined): CallbackManager | undefined {
  if (!runManager) return undefined;
  const inherited = runManager as unknown as {
    inheritableHandlers: BaseCallbackHandler[];
    inheritableTags: string[];
    inheritableMetadata: Record<string, unknown>;
  };
  const manager = new CallbackManager(runManager.runId);
  manager.setHandlers(inherited.inheritableHandlers ?? []);
  manager.addTags(inherited.inheritableTags ?? []);
  manager.addMetadata(inherited.inheritableMetadata ?? {});
  return manager;
}
