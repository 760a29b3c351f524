import { computeFeatures } from "../../features/compute.js";
import type { PyramidStateType, PyramidUpdate } from "../state.js";

/**
 * The `features` node after tier `tier`: the feature vector of the candidates of tiers `0..tier` (for the
 * crowd, the crowd's own candidates; above it, the pool, so that a one-model middle tier is judged by how
 * it agrees with the tiers below).
 */
export function makeFeaturesNode(tier: number) {
  return (state: PyramidStateType): PyramidUpdate => ({
    featureVector: computeFeatures(state.tiers.slice(0, tier + 1).flatMap((run) => run.candidates)),
  });
}
