import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { BaseMessage } from "@langchain/core/messages";
import { computeFeaturesWith } from "../../features/group.js";
import type { PyramidSpec } from "../spec.js";
import type { PyramidStateType, PyramidUpdate } from "../state.js";

/** The text of the last user message (what feature groups may read of the request), or `""`. */
function lastUserText(messages: readonly BaseMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message.getType() === "human") return typeof message.content === "string" ? message.content : message.text;
  }
  return "";
}

/**
 * The `features` node after tier `tier`: the feature vector of the candidates of tiers `0..tier` (for the
 * crowd, the crowd's own candidates; above it, the pool, so that a one-model middle tier is judged by how
 * it agrees with the tiers below), followed by the spec's feature groups (e.g. code behavioural agreement).
 */
export function makeFeaturesNode(spec: PyramidSpec, tier: number) {
  return async (state: PyramidStateType, config: LangGraphRunnableConfig): Promise<PyramidUpdate> => ({
    featureVector: await computeFeaturesWith(
      state.tiers.slice(0, tier + 1).flatMap((run) => run.candidates),
      spec.featureGroups,
      { prompt: lastUserText(state.messages), signal: config.signal },
    ),
  });
}
