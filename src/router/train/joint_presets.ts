import { DataFormatError } from "../../errors/index.js";
import { DEFAULT_PRESET_SPECS, PRESET_NAMES, type PresetName, type PresetSpec } from "../../policy/presets.js";
import { seededRandom } from "../../utils/random.js";

/** One graded query for the joint presets: each boundary's `P_fail` and each tier's correctness and cost. */
export interface JointRow {
  /** `P_fail` at each boundary (out of fold: predicted by routers that did not train on the row). */
  readonly pFail: readonly number[];
  /** Whether each tier's answer is correct, crowd first, apex last. */
  readonly correct: readonly boolean[];
  /** USD of each tier's calls. */
  readonly cost: readonly number[];
}

/** Options of {@link calibrateJointPresets}. */
export interface JointPresetOptions {
  readonly specs?: Readonly<Record<PresetName, PresetSpec>>;
  /** Bootstrap resamples (default 1000). */
  readonly resamples?: number;
  /** Seed of the resamples (default 1). */
  readonly seed?: number;
  /** Interval level (default 0.9). */
  readonly level?: number;
  /** Candidate thresholds per boundary (default: about 2000 combinations in all, at most 41 per boundary). */
  readonly candidates?: number;
}

/** What the joint calibration found for one preset. */
export interface JointPresetReport {
  readonly spec: PresetSpec;
  /** One threshold per boundary (escalate at k iff `P_fail_k > thresholds[k]`). */
  readonly thresholds: number[];
  /** Whether the target holds in at least `spec.confidence` of the resamples (on the set, without confidence). */
  readonly feasible: boolean;
  readonly targetProbability: number;
  readonly accuracy: number;
  readonly costSaving: number;
  /** Share of queries escalated past the crowd. */
  readonly escalationRate: number;
  /** Share of queries answered by each tier. */
  readonly answeredShare: number[];
  /** Whether it was moved to a dearer preset's thresholds to keep the presets ordered by cost. */
  readonly raisedForOrder: boolean;
  readonly intervals: { accuracy: [number, number]; costSaving: [number, number]; accuracyMinusApex: [number, number] };
}

/** The joint presets: thresholds of every boundary per preset, and the figures they were chosen on. */
export interface JointPresets {
  readonly presets: Record<PresetName, number[]>;
  readonly reports: Record<PresetName, JointPresetReport>;
  readonly apexAccuracy: number;
  readonly crowdAccuracy: number;
  readonly bootstrap: { resamples: number; seed: number; level: number };
  /** Threshold combinations searched. */
  readonly combinations: number;
}

/** Candidate thresholds of one boundary: 0 (escalate everything), quantiles of its `P_fail`, 1 (escalate nothing). */
function candidatesOf(values: readonly number[], count: number): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const out = new Set<number>([0, 1]);
  for (let i = 1; i < count - 1; i++)
    out.add(sorted[Math.min(sorted.length - 1, Math.floor((i / count) * sorted.length))]);
  return [...out].sort((a, b) => a - b);
}

interface Combo {
  readonly thresholds: number[];
  readonly tier: Int32Array;
  readonly correct: number;
  readonly cost: number;
}

const TOLERANCE = 1e-9;

/**
 * Chooses the presets of all boundaries together, the way two-tier presets are chosen for one threshold: every
 * combination of candidate thresholds is scored, and a preset is the combination whose target holds in at least
 * `confidence` (90% by default) of seeded bootstrap resamples of the rows (paired: accuracies compared with the crowd
 * and the apex on the same resample). `baseline-match` is the cheapest combination whose accuracy is at least the apex
 * alone's; `balanced` the cheapest closing half the crowd-to-apex gap; `economy` the most accurate saving at least 70%
 * of the apex-alone cost. "Cheapest" is by cost on the rows (ties: the combination escalating least). A target met in
 * no combination with that confidence falls back to where it holds most often (`feasible: false`); the presets are
 * kept ordered by cost (economy <= balanced <= baseline-match).
 *
 * @throws DataFormatError for no rows or rows of different depths.
 */
export function calibrateJointPresets(rows: readonly JointRow[], options: JointPresetOptions = {}): JointPresets {
  const n = rows.length;
  const boundaries = rows[0]?.pFail.length ?? 0;
  if (
    n === 0 ||
    boundaries === 0 ||
    rows.some((r) => r.pFail.length !== boundaries || r.correct.length !== boundaries + 1)
  ) {
    throw new DataFormatError("joint presets need rows of one pyramid depth (P_fail per boundary, correct per tier).", {
      field: "rows",
      fix: "pass one row per training query with every boundary's P_fail and every tier's grade and cost.",
    });
  }
  const specs = options.specs ?? DEFAULT_PRESET_SPECS;
  const resamples = options.resamples ?? 1000;
  const seed = options.seed ?? 1;
  const level = options.level ?? 0.9;
  const perAxis = options.candidates ?? Math.min(41, Math.max(3, Math.floor(2000 ** (1 / boundaries))));
  const axes = Array.from({ length: boundaries }, (_, k) =>
    candidatesOf(
      rows.map((r) => r.pFail[k]),
      perAxis,
    ),
  );
  const apex = boundaries;
  const apexCost = Float64Array.from(rows, (r) => r.cost[apex]);
  const apexRight = Float64Array.from(rows, (r) => (r.correct[apex] ? 1 : 0));
  const crowdRight = Float64Array.from(rows, (r) => (r.correct[0] ? 1 : 0));
  // counts[i * resamples + b]: how often row i is drawn in resample b.
  const counts = new Uint16Array(n * resamples);
  const rand = seededRandom(seed);
  for (let b = 0; b < resamples; b++) for (let j = 0; j < n; j++) counts[Math.floor(rand() * n) * resamples + b]++;

  let combos: number[][] = [[]];
  for (const axis of axes) combos = combos.flatMap((c) => axis.map((t) => [...c, t]));
  const scored: Combo[] = combos.map((thresholds) => {
    const tier = new Int32Array(n);
    let correct = 0;
    let cost = 0;
    rows.forEach((r, i) => {
      let a = 0;
      while (a < boundaries && r.pFail[a] > thresholds[a]) a++;
      tier[i] = a;
      if (r.correct[a]) correct++;
      for (let j = 0; j <= a; j++) cost += r.cost[j];
    });
    return { thresholds, tier, correct, cost };
  });

  /** Per resample, the sum over rows of `value(i)` weighted by the draws. */
  const resampled = (value: (i: number) => number): Float64Array => {
    const sums = new Float64Array(resamples);
    for (let i = 0; i < n; i++) {
      const v = value(i);
      if (v === 0) continue;
      const base = i * resamples;
      for (let b = 0; b < resamples; b++) sums[b] += v * counts[base + b];
    }
    return sums;
  };
  const rowCost = (c: Combo, i: number): number => {
    let s = 0;
    for (let j = 0; j <= c.tier[i]; j++) s += rows[i].cost[j];
    return s;
  };
  const margin = (c: Combo, spec: PresetSpec, i: number): number => {
    const right = rows[i].correct[c.tier[i]] ? 1 : 0;
    switch (spec.kind) {
      case "baseline-match":
        return right - apexRight[i];
      case "accuracy-gap":
        return right - crowdRight[i] - spec.fraction * (apexRight[i] - crowdRight[i]);
      case "cost-saving":
        return (1 - spec.target) * apexCost[i] - rowCost(c, i);
      case "escalation-rate":
        return spec.target - (c.tier[i] > 0 ? 1 : 0);
    }
  };
  const probability = (c: Combo, spec: PresetSpec): number => {
    if (spec.confidence === undefined) {
      let s = 0;
      for (let i = 0; i < n; i++) s += margin(c, spec, i);
      return s >= -TOLERANCE ? 1 : 0;
    }
    const sums = resampled((i) => margin(c, spec, i));
    let held = 0;
    for (let b = 0; b < resamples; b++) if (sums[b] >= -TOLERANCE) held++;
    return held / resamples;
  };
  const thresholdSum = (c: Combo): number => c.thresholds.reduce((s, t) => s + t, 0);
  const cheaper = (a: Combo, b: Combo): boolean =>
    a.cost < b.cost - 1e-15 || (Math.abs(a.cost - b.cost) <= 1e-15 && thresholdSum(a) > thresholdSum(b));
  const better = (a: Combo, b: Combo): boolean => a.correct > b.correct || (a.correct === b.correct && cheaper(a, b));

  const choose = (spec: PresetSpec): { combo: Combo; feasible: boolean; probability: number } => {
    const confidence = spec.confidence ?? 1;
    const accuracyTarget = spec.kind === "baseline-match" || spec.kind === "accuracy-gap";
    let best: Combo | undefined;
    let bestP = 0;
    let fallback: Combo = scored[0];
    let fallbackP = -1;
    for (const c of scored) {
      const p = probability(c, spec);
      if (p >= confidence - TOLERANCE) {
        if (!best || (accuracyTarget ? cheaper(c, best) : better(c, best))) {
          best = c;
          bestP = p;
        }
      } else if (p > fallbackP || (p === fallbackP && cheaper(c, fallback))) {
        fallback = c;
        fallbackP = p;
      }
    }
    return best
      ? { combo: best, feasible: true, probability: bestP }
      : { combo: fallback, feasible: false, probability: fallbackP };
  };

  const raw = {} as Record<PresetName, { combo: Combo; feasible: boolean; probability: number }>;
  for (const name of PRESET_NAMES) raw[name] = choose(specs[name]);
  const chosen = { ...raw };
  if (chosen.balanced.combo.cost > chosen["baseline-match"].combo.cost) chosen.balanced = chosen["baseline-match"];
  if (chosen.economy.combo.cost > chosen.balanced.combo.cost) chosen.economy = chosen.balanced;

  const interval = (values: Float64Array): [number, number] => {
    const sorted = Float64Array.from(values).sort();
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round(p * (sorted.length - 1))))];
    return [at((1 - level) / 2), at(1 - (1 - level) / 2)];
  };
  const drawn = resampled(() => 1);
  const apexSums = resampled((i) => apexRight[i]);
  const apexCostSums = resampled((i) => apexCost[i]);
  const apexTotal = apexCost.reduce((s, v) => s + v, 0);
  const presets = {} as Record<PresetName, number[]>;
  const reports = {} as Record<PresetName, JointPresetReport>;
  for (const name of PRESET_NAMES) {
    const { combo } = chosen[name];
    const raised = combo !== raw[name].combo;
    const spec = specs[name];
    const p = raised ? probability(combo, spec) : raw[name].probability;
    const right = resampled((i) => (rows[i].correct[combo.tier[i]] ? 1 : 0));
    const costs = resampled((i) => rowCost(combo, i));
    const answered = new Array<number>(boundaries + 1).fill(0);
    for (const a of combo.tier) answered[a]++;
    presets[name] = [...combo.thresholds];
    reports[name] = {
      spec,
      thresholds: [...combo.thresholds],
      feasible: p >= (spec.confidence ?? 1) - TOLERANCE,
      targetProbability: p,
      accuracy: combo.correct / n,
      costSaving: apexTotal > 0 ? 1 - combo.cost / apexTotal : Number.NaN,
      escalationRate: 1 - answered[0] / n,
      answeredShare: answered.map((a) => a / n),
      raisedForOrder: raised,
      intervals: {
        accuracy: interval(right.map((v, b) => v / drawn[b])),
        costSaving: interval(costs.map((v, b) => (apexCostSums[b] > 0 ? 1 - v / apexCostSums[b] : Number.NaN))),
        accuracyMinusApex: interval(right.map((v, b) => (v - apexSums[b]) / drawn[b])),
      },
    };
  }
  return {
    presets,
    reports,
    apexAccuracy: apexRight.reduce((s, v) => s + v, 0) / n,
    crowdAccuracy: crowdRight.reduce((s, v) => s + v, 0) / n,
    bootstrap: { resamples, seed, level },
    combinations: scored.length,
  };
}
