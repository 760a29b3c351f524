import type { DeepQuery } from "./queries.js";
import { apexAloneCost, thresholdStop, answeringTier } from "./rules.js";

/** One point of the joint threshold sweep. */
export interface JointPoint {
  /** One threshold per boundary. */
  readonly thresholds: readonly number[];
  readonly accuracy: number;
  /** Total USD. */
  readonly cost: number;
  /** Cost as a fraction of the apex alone. */
  readonly costFraction: number;
}

/** The grid of thresholds per boundary: 0, step, ..., 1 (coarser for deeper pyramids, at most ~5000 points). */
export function jointGrid(boundaries: number): number[] {
  const perAxis = Math.max(3, Math.floor(5000 ** (1 / Math.max(1, boundaries))));
  const steps = Math.min(40, perAxis - 1);
  return Array.from({ length: steps + 1 }, (_, i) => Number((i / steps).toFixed(6)));
}

/** Every combination of per-boundary thresholds of `grid` (the first boundary varies slowest). */
export function thresholdCombinations(boundaries: number, grid: readonly number[]): number[][] {
  let combos: number[][] = [[]];
  for (let k = 0; k < boundaries; k++) combos = combos.flatMap((c) => grid.map((t) => [...c, t]));
  return combos;
}

/** Scores each combination of thresholds of the grid (accuracy and cost). */
export function jointSweep(queries: readonly DeepQuery[], grid?: readonly number[]): JointPoint[] {
  const boundaries = queries[0]?.pFail.length ?? 0;
  const apex = apexAloneCost(queries);
  const n = Math.max(1, queries.length);
  return thresholdCombinations(boundaries, grid ?? jointGrid(boundaries)).map((thresholds) => {
    const stop = thresholdStop(thresholds);
    let correct = 0;
    let cost = 0;
    for (const q of queries) {
      const tier = answeringTier(q, stop);
      if (q.tiers[tier].correct) correct++;
      for (let j = 0; j <= tier; j++) cost += q.tiers[j].cost;
    }
    return { thresholds, accuracy: correct / n, cost, costFraction: apex > 0 ? cost / apex : Number.NaN };
  });
}

/** The Pareto frontier of a sweep: the points no other point beats on both accuracy and cost, by cost. */
export function paretoFrontier(points: readonly JointPoint[]): JointPoint[] {
  const sorted = [...points].sort((a, b) => a.cost - b.cost || b.accuracy - a.accuracy);
  const frontier: JointPoint[] = [];
  for (const p of sorted)
    if (frontier.length === 0 || p.accuracy > frontier[frontier.length - 1].accuracy) frontier.push(p);
  return frontier;
}

/** The best accuracy of the sweep at a cost no higher than `cost` (-Infinity when every point costs more). */
export function bestAccuracyAtCost(points: readonly JointPoint[], cost: number): number {
  let best = Number.NEGATIVE_INFINITY;
  for (const p of points) if (p.cost <= cost + 1e-12 && p.accuracy > best) best = p.accuracy;
  return best;
}
