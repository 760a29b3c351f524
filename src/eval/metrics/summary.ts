import {
  crowdMajority,
  escalateUnlessMajority,
  escalateUnlessUnanimous,
  oracleAlone,
  perfectRouter,
  randomRouter,
  scoreThreshold,
  singleModels,
} from "./rules.js";
import {
  confusionAt,
  defaultThresholds,
  performanceProfile,
  routerAccuracyAtCost,
  theorem1At,
  theorem1Table,
  type Confusion,
  type ProfilePoint,
  type Theorem1Row,
} from "./profile.js";
import type { GradedQuery, RuleScore } from "./types.js";
import { significance, type Significance } from "./significance.js";
import { ORACLE_RULE, significanceRules } from "./significance_rules.js";
import { reliabilityReport, type ReliabilityReport } from "../../router/calibration/reliability.js";

/** Options of {@link evaluationSummary}. */
export interface SummaryOptions {
  /** The threshold in force (for the confusion matrix, Theorem 1 row and random router rate). */
  threshold: number;
  /** Named preset thresholds to report (e.g. the router's `presets`). */
  presets?: Record<string, number>;
  /** Thresholds of the profile (default 0.05 ... 0.95). */
  thresholds?: number[];
  /** Random-router draws (default 100) and seed (default 1). */
  randomDraws?: number;
  seed?: number;
  /** Bootstrap resamples of the intervals (default 2000; seeded with `seed`). */
  resamples?: number;
}

/** A baseline compared with the learned router at the same cost. */
export interface FrontierComparison {
  baseline: string;
  baselineAccuracy: number;
  baselineCost: number;
  /** The learned router's best accuracy at a cost no higher than the baseline's (-Infinity if none). */
  routerAccuracyAtSameCost: number;
  /** routerAccuracyAtSameCost >= baselineAccuracy; `null` when every router point costs more (e.g. a single cheap model). */
  routerNotBelow: boolean | null;
}

/** Everything `summary.md` / `summary.json` report about a run. */
export interface EvaluationSummary {
  queries: number;
  threshold: number;
  /** The learned router at `threshold`. */
  pyramid: RuleScore;
  confusion: Confusion;
  theorem1: Theorem1Row;
  theorem1Table: Theorem1Row[];
  profile: ProfilePoint[];
  /** Single models, crowd majority, Oracle alone, the two agreement rules, random router, perfect router. */
  baselines: RuleScore[];
  presets: { name: string; threshold: number; score: RuleScore }[];
  frontier: FrontierComparison[];
  /** 95% bootstrap intervals of every rule and paired tests of each pyramid rule against the Oracle alone. */
  significance: Significance;
  /**
   * Reliability of the router's `P_fail` as a probability of a crowd error: predicted versus observed crowd error rate
   * in 10 equal-width bins (90% Wilson intervals), expected calibration error (ECE), maximum error and Brier score.
   */
  reliability: ReliabilityReport;
}

/** Computes the summary of an evaluation run from its graded queries. */
export function evaluationSummary(queries: readonly GradedQuery[], options: SummaryOptions): EvaluationSummary {
  const t = options.threshold;
  const pyramid = scoreThreshold(queries, t);
  const baselines: RuleScore[] = [
    ...singleModels(queries),
    crowdMajority(queries),
    oracleAlone(queries),
    escalateUnlessUnanimous(queries),
    escalateUnlessMajority(queries),
    randomRouter(queries, pyramid.escalationRate, options.randomDraws ?? 100, options.seed ?? 1),
    perfectRouter(queries),
  ];
  const frontier = baselines
    .filter((b) => b.name !== "perfect router")
    .map((b) => {
      const r = routerAccuracyAtCost(queries, b.cost);
      return {
        baseline: b.name,
        baselineAccuracy: b.accuracy,
        baselineCost: b.cost,
        routerAccuracyAtSameCost: r,
        routerNotBelow: Number.isFinite(r) ? r >= b.accuracy - 1e-12 : null,
      };
    });
  return {
    queries: queries.length,
    threshold: t,
    pyramid,
    confusion: confusionAt(queries, t),
    theorem1: theorem1At(queries, t),
    theorem1Table: theorem1Table(queries, options.thresholds ?? defaultThresholds()),
    profile: performanceProfile(queries, options.thresholds ?? defaultThresholds()),
    baselines,
    presets: Object.entries(options.presets ?? {}).map(([name, threshold]) => ({
      name,
      threshold,
      score: scoreThreshold(queries, threshold, `preset ${name} (t=${threshold.toFixed(2)})`),
    })),
    frontier,
    significance: significance(queries, significanceRules(queries, t, options.presets), ORACLE_RULE, {
      resamples: options.resamples,
      seed: options.seed,
    }),
    reliability: reliabilityReport(
      queries.map((q) => q.pFail),
      queries.map((q) => (q.crowdCorrect ? 0 : 1)),
    ),
  };
}
