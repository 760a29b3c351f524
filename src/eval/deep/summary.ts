import { significance, type ScoredRule, type Significance } from "../metrics/significance.js";
import type { TierEstimate } from "../../policy/lookahead.js";
import { boundaryReports, type BoundaryReport } from "./boundaries.js";
import { bestAccuracyAtCost, jointSweep, paretoFrontier, type JointPoint } from "./frontier.js";
import { lookaheadSweep, type LookaheadPoint } from "./lookahead.js";
import type { DeepQuery } from "./queries.js";
import {
  AGREEMENT_RULES,
  apexAlone,
  hindsightRouter,
  memberAlone,
  scoreDeepRule,
  scoreThresholds,
  thresholdsLabel,
  tierAlone,
  type DeepRuleScore,
} from "./rules.js";

/** Options of {@link deepSummary}. */
export interface DeepSummaryOptions {
  /** The thresholds in force, one per boundary. */
  readonly thresholds: readonly number[];
  /** Named joint presets: one threshold per boundary each. */
  readonly presets?: Readonly<Record<string, readonly number[]>>;
  /** Look-ahead estimates (from the training part) to measure the look-ahead policy against the thresholds. */
  readonly lookahead?: readonly TierEstimate[];
  /** Bootstrap resamples (default 2000) and seed (default 1) of the intervals. */
  readonly resamples?: number;
  readonly seed?: number;
}

/** A baseline compared with the joint threshold sweep at the same cost. */
export interface DeepFrontierComparison {
  readonly baseline: string;
  readonly baselineAccuracy: number;
  readonly baselineCostFraction: number;
  /** The best accuracy of the per-boundary thresholds at no higher cost (-Infinity if none). */
  readonly thresholdsAccuracyAtSameCost: number;
}

/** Everything a deep run's `summary.md` / `summary.json` report. */
export interface DeepSummary {
  readonly queries: number;
  readonly tiers: readonly string[];
  readonly thresholds: readonly number[];
  /** The pyramid at the thresholds in force. */
  readonly pyramid: DeepRuleScore;
  /** Each boundary at the thresholds in force. */
  readonly boundaries: readonly BoundaryReport[];
  readonly presets: readonly { name: string; thresholds: readonly number[]; score: DeepRuleScore }[];
  /** Each model alone, each tier alone, the apex alone, the agreement rules and the hindsight router. */
  readonly baselines: readonly DeepRuleScore[];
  /** The Pareto frontier of the joint threshold sweep. */
  readonly frontier: readonly JointPoint[];
  readonly frontierComparisons: readonly DeepFrontierComparison[];
  /** The look-ahead policy at several utilities, against the thresholds at the same cost. */
  readonly lookahead?: readonly LookaheadPoint[];
  /** 95% bootstrap intervals of every rule and paired tests of each pyramid rule against the apex alone. */
  readonly significance: Significance;
}

/** Computes the summary of a deep run from its graded queries. */
export function deepSummary(queries: readonly DeepQuery[], options: DeepSummaryOptions): DeepSummary {
  const first = queries[0];
  const tierNames = first?.tiers.map((t) => t.name) ?? [];
  const pyramidRule: ScoredRule<DeepQuery> = {
    name: `pyramid (${thresholdsLabel(options.thresholds)})`,
    score: (qs) => scoreThresholds(qs, options.thresholds),
    paired: true,
  };
  const presetRules: ScoredRule<DeepQuery>[] = Object.entries(options.presets ?? {}).map(([name, ts]) => {
    const label = `preset ${name} (${thresholdsLabel(ts)})`;
    return { name: label, score: (qs) => scoreThresholds(qs, ts, label), paired: true };
  });
  const apexRule: ScoredRule<DeepQuery> = { name: "apex alone", score: apexAlone };
  const baselineRules: ScoredRule<DeepQuery>[] = [
    ...(first?.tiers ?? []).flatMap((tier, k) =>
      tier.members.length > 1 || k < tierNames.length - 1
        ? tier.members.map((m) => ({ name: m.model, score: (qs: readonly DeepQuery[]) => memberAlone(qs, k, m.model) }))
        : [],
    ),
    ...tierNames
      .slice(0, -1)
      .flatMap((name, k) =>
        (first?.tiers[k].members.length ?? 0) > 1
          ? [{ name: `${name} alone`, score: (qs: readonly DeepQuery[]) => tierAlone(qs, k), paired: true }]
          : [],
      ),
    apexRule,
    ...AGREEMENT_RULES.map((rule) => ({
      name: rule.name,
      score: (qs: readonly DeepQuery[]) => scoreDeepRule(rule.name, qs, rule.stop, rule.calls),
      paired: true,
    })),
    { name: "hindsight: cheapest right tier", score: hindsightRouter },
  ];
  const baselines = baselineRules.map((rule) => rule.score(queries) as DeepRuleScore);
  const sweep = jointSweep(queries);
  return {
    queries: queries.length,
    tiers: tierNames,
    thresholds: [...options.thresholds],
    pyramid: scoreThresholds(queries, options.thresholds),
    boundaries: boundaryReports(queries, options.thresholds),
    presets: Object.entries(options.presets ?? {}).map(([name, ts]) => ({
      name,
      thresholds: [...ts],
      score: scoreThresholds(queries, ts, `preset ${name} (${thresholdsLabel(ts)})`),
    })),
    baselines,
    frontier: paretoFrontier(sweep),
    frontierComparisons: baselines
      .filter((b) => !b.name.startsWith("hindsight"))
      .map((b) => ({
        baseline: b.name,
        baselineAccuracy: b.accuracy,
        baselineCostFraction: b.costFraction,
        thresholdsAccuracyAtSameCost: bestAccuracyAtCost(sweep, b.cost),
      })),
    ...(options.lookahead ? { lookahead: lookaheadSweep(queries, options.lookahead, sweep) } : {}),
    significance: significance(queries, [pyramidRule, ...presetRules, ...baselineRules], apexRule, {
      resamples: options.resamples,
      seed: options.seed,
    }),
  };
}
