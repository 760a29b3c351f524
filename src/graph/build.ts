import { END, START, StateGraph } from "@langchain/langgraph";
import { makeCrowdNode } from "./nodes/crowd.js";
import { makeFeaturesNode } from "./nodes/features.js";
import { makeOracleNode } from "./nodes/oracle.js";
import { makeRouterNode } from "./nodes/router.js";
import { resolvePyramidOptions } from "./options.js";
import type { PyramidOptions } from "./options.js";
import type { PyramidSpec } from "./spec.js";
import { PyramidState } from "./state.js";
import type { PyramidStateType } from "./state.js";

/**
 * Node names of a pyramid graph: `crowd`, `features`, `router`, `oracle` for two tiers; with more tiers the
 * middle tiers are `tier_1`, `tier_2`, ... each followed by `features_<i>` and `router_<i>`.
 */
export function pyramidNodeNames(tiers: number): { tier: string[]; features: string[]; router: string[] } {
  const tier = Array.from({ length: tiers }, (_, i) => (i === 0 ? "crowd" : i === tiers - 1 ? "oracle" : `tier_${i}`));
  const suffix = (i: number): string => (i === 0 ? "" : `_${i}`);
  return {
    tier,
    features: tier.slice(0, -1).map((_, i) => `features${suffix(i)}`),
    router: tier.slice(0, -1).map((_, i) => `router${suffix(i)}`),
  };
}

/** Builds the (uncompiled) pyramid graph from a resolved spec. */
export function buildPyramidStateGraph(spec: PyramidSpec) {
  const names = pyramidNodeNames(spec.tiers.length);
  const graph = new StateGraph(PyramidState);
  const last = spec.tiers.length - 1;
  for (let i = 0; i < last; i++) {
    graph.addNode(names.tier[i], makeCrowdNode(spec, i));
    graph.addNode(names.features[i], makeFeaturesNode(spec, i));
    graph.addNode(names.router[i], makeRouterNode(spec, i));
  }
  graph.addNode(names.tier[last], makeOracleNode(spec));
  // The node names are computed, so the typed builder API is driven through a loosely typed view.
  const edges = graph as unknown as {
    addEdge(from: string, to: string): void;
    addConditionalEdges(from: string, route: (state: PyramidStateType) => string, targets: string[]): void;
  };
  edges.addEdge(START, names.tier[0]);
  for (let i = 0; i < last; i++) {
    const next = names.tier[i + 1];
    edges.addEdge(names.tier[i], names.features[i]);
    edges.addEdge(names.features[i], names.router[i]);
    edges.addConditionalEdges(
      names.router[i],
      (state) => (state.decisions[state.decisions.length - 1]?.escalated ? next : END),
      [next, END],
    );
  }
  edges.addEdge(names.tier[last], END);
  return graph;
}

/**
 * Builds and compiles the pyramid as a LangGraph `StateGraph`: `crowd` -> `features` -> `router` ->
 * (Equation 5) -> `oracle` or end; deeper pyramids repeat features/router between every pair of tiers.
 * Invoke it with `{ messages }`; the final state holds every tier's candidates and every decision.
 */
export function buildPyramidGraph(options: PyramidOptions) {
  return buildPyramidStateGraph(resolvePyramidOptions(options)).compile();
}
