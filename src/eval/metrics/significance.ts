/**
 * Significance of an evaluation run (the paper's future work): seeded percentile-bootstrap intervals for the
 * accuracy, cost saving and escalation rate of every routing rule, and a paired comparison of each pyramid rule
 * with the Oracle alone on the same queries (paired bootstrap of the accuracy difference and McNemar's exact test).
 */
import { seededRandom } from "../../utils/random.js";
import type { GradedQuery, RuleScore } from "./types.js";

/** A two-sided interval `[low, high]`. */
export type Interval = readonly [number, number];

/** Bootstrap intervals of one rule's scores. */
export interface RuleIntervals {
  /** Rule name, as in the summary's tables. */
  readonly name: string;
  readonly accuracy: Interval;
  readonly costSaving: Interval;
  readonly escalationRate: Interval;
}

/** A pyramid rule against the Oracle alone, on the same queries. */
export interface PairedComparison {
  /** Rule name. */
  readonly name: string;
  /** Rule accuracy minus the Oracle's (fraction), on all queries. */
  readonly accuracyDifference: number;
  /** Paired-bootstrap interval of the difference. */
  readonly interval: Interval;
  /** Share of resamples in which the rule's accuracy is at least the Oracle's. */
  readonly shareAtLeastOracle: number;
  /** Queries the rule answers right and the Oracle wrong. */
  readonly onlyRuleRight: number;
  /** Queries the Oracle answers right and the rule wrong. */
  readonly onlyOracleRight: number;
  /** McNemar's exact two-sided p-value (binomial test on the discordant queries); 1 when there are none. */
  readonly mcnemarP: number;
}

/** The significance section of a summary. */
export interface Significance {
  /** Resamples drawn (queries drawn with replacement, the same draws for every rule). */
  readonly resamples: number;
  readonly seed: number;
  /** Interval level, e.g. 0.95. */
  readonly level: number;
  readonly rules: RuleIntervals[];
  readonly versusOracle: PairedComparison[];
}

/** A rule to put intervals on: its name and how it scores a set of queries (the summary's own rule functions). */
export interface ScoredRule<Q = GradedQuery> {
  readonly name: string;
  readonly score: (queries: readonly Q[]) => RuleScore;
  /** Compare with the Oracle alone (pyramid rules and presets). */
  readonly paired?: boolean;
}

/** Options of {@link significance}. */
export interface SignificanceOptions {
  /** Resamples (default 2000). */
  readonly resamples?: number;
  /** Seed of the draws (default 1). */
  readonly seed?: number;
  /** Interval level (default 0.95). */
  readonly level?: number;
}

/** Per-query outcome of a rule: correct (0/1), cost, escalated (0/1). */
interface Outcomes {
  readonly correct: Float64Array;
  readonly cost: Float64Array;
  readonly escalated: Float64Array;
}

/** Scores the rule on each query alone: the rules are sums over queries, so this is exact. */
function outcomes<Q>(rule: ScoredRule<Q>, queries: readonly Q[]): Outcomes {
  const n = queries.length;
  const out = { correct: new Float64Array(n), cost: new Float64Array(n), escalated: new Float64Array(n) };
  queries.forEach((q, i) => {
    const s = rule.score([q]);
    out.correct[i] = s.accuracy;
    out.cost[i] = s.cost;
    out.escalated[i] = s.escalationRate;
  });
  return out;
}

/** The `p` quantile of sorted values (linear interpolation). */
function quantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = p * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

function interval(values: Float64Array, level: number): Interval {
  const finite = values.filter((v) => Number.isFinite(v)).sort();
  return [quantile(finite, (1 - level) / 2), quantile(finite, 1 - (1 - level) / 2)];
}

/** ln(n!) by summation (n is a count of queries). */
function logFactorial(n: number): number {
  let s = 0;
  for (let k = 2; k <= n; k++) s += Math.log(k);
  return s;
}

/** McNemar's exact two-sided p-value for `b` and `c` discordant pairs: 2 P(X <= min(b, c)), X ~ Bin(b + c, 1/2). */
export function mcnemarExactP(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  const lnN = logFactorial(n);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(lnN - logFactorial(i) - logFactorial(n - i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/**
 * Bootstrap intervals for every rule and paired comparisons with the Oracle alone. Every rule is scored on the same
 * resamples (queries drawn with replacement, seeded), so intervals of different rules and the paired differences
 * come from one set of draws. `oracle` is the Oracle-alone rule.
 */
export function significance<Q = GradedQuery>(
  queries: readonly Q[],
  rules: readonly ScoredRule<Q>[],
  oracle: ScoredRule<Q>,
  options: SignificanceOptions = {},
): Significance {
  const resamples = options.resamples ?? 2000;
  const seed = options.seed ?? 1;
  const level = options.level ?? 0.95;
  const n = queries.length;
  const oracleOut = outcomes(oracle, queries);
  const ruleOut = rules.map((rule) => outcomes(rule, queries));
  const acc = rules.map(() => new Float64Array(resamples));
  const saving = rules.map(() => new Float64Array(resamples));
  const esc = rules.map(() => new Float64Array(resamples));
  const diff = rules.map(() => new Float64Array(resamples));
  const rand = seededRandom(seed);
  const draw = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) draw[i] = Math.floor(rand() * n);
    let oracleCorrect = 0;
    let oracleCost = 0;
    for (const i of draw) {
      oracleCorrect += oracleOut.correct[i];
      oracleCost += oracleOut.cost[i];
    }
    ruleOut.forEach((o, k) => {
      let correct = 0;
      let cost = 0;
      let escalated = 0;
      for (const i of draw) {
        correct += o.correct[i];
        cost += o.cost[i];
        escalated += o.escalated[i];
      }
      acc[k][r] = correct / n;
      saving[k][r] = oracleCost > 0 ? 1 - cost / oracleCost : Number.NaN;
      esc[k][r] = escalated / n;
      diff[k][r] = (correct - oracleCorrect) / n;
    });
  }
  const versusOracle: PairedComparison[] = [];
  rules.forEach((rule, k) => {
    if (!rule.paired) return;
    let onlyRule = 0;
    let onlyOracle = 0;
    let difference = 0;
    for (let i = 0; i < n; i++) {
      const a = ruleOut[k].correct[i];
      const b = oracleOut.correct[i];
      if (a > b) onlyRule++;
      if (b > a) onlyOracle++;
      difference += a - b;
    }
    versusOracle.push({
      name: rule.name,
      accuracyDifference: n > 0 ? difference / n : Number.NaN,
      interval: interval(diff[k], level),
      shareAtLeastOracle: diff[k].filter((d) => d >= -1e-12).length / Math.max(1, resamples),
      onlyRuleRight: onlyRule,
      onlyOracleRight: onlyOracle,
      mcnemarP: mcnemarExactP(onlyRule, onlyOracle),
    });
  });
  return {
    resamples,
    seed,
    level,
    rules: rules.map((rule, k) => ({
      name: rule.name,
      accuracy: interval(acc[k], level),
      costSaving: interval(saving[k], level),
      escalationRate: interval(esc[k], level),
    })),
    versusOracle,
  };
}
