import { wilsonInterval } from "../../router/calibration/reliability.js";
import type { LabelledSample } from "../labels.js";
import type { TrafficRecord } from "../read.js";

/** How traffic is cut into windows: by UTC day, or every `n` queries. */
export type WindowSpec = { readonly by: "day" } | { readonly by: "count"; readonly n: number };

/** A 95% Wilson interval of a proportion. */
export interface Interval {
  readonly low: number;
  readonly high: number;
}

/** The figures of one window of traffic. */
export interface WindowReport {
  /** `2026-12-04` (by day) or `1-500` (by count: query numbers). */
  readonly label: string;
  readonly queries: number;
  /** Fraction of the queries answered by the apex. */
  readonly escalationRate: number;
  /** Kept (not escalated) queries with an apex label (shadowed, or feedback). */
  readonly keptLabelled: number;
  /** Estimated error of kept answers: the fraction of labelled kept queries whose crowd answer is wrong (NaN: none). */
  readonly keptError: number;
  readonly keptErrorInterval: Interval;
  /**
   * Estimated accuracy relative to the apex alone: escalated answers are the apex's, kept ones agree with the
   * apex's with probability `1 - keptError`, so `1 - (1 - escalationRate) * keptError`.
   */
  readonly accuracyVsApex: number;
  /** `1 - cost / cost of the apex alone` over the window (shadow calls not counted). */
  readonly saving: number;
  /** USD spent on shadow calls in the window. */
  readonly shadowCostUsd: number;
  /** IPW-weighted mean `P_fail` and error rate of the labelled queries (calibration-in-the-large). */
  readonly meanPFail: number;
  readonly observedError: number;
  /** Set when the kept error's lower 95% bound is above the preset's calibrated kept error. */
  readonly flagged: boolean;
}

/** The 95% Wilson interval of `k` successes in `n` trials (`[NaN, NaN]` when `n` is 0). */
export function wilson(k: number, n: number): Interval {
  const [low, high] = wilsonInterval(k, n, 0.95);
  return { low, high };
}

function windowKey(record: TrafficRecord, index: number, spec: WindowSpec, total: number): string {
  if (spec.by === "day") return record.query.time.slice(0, 10);
  const start = Math.floor(index / spec.n) * spec.n;
  return `${start + 1}-${Math.min(total, start + spec.n)}`;
}

/**
 * Cuts labelled traffic into windows and estimates, per window: the escalation rate, the error of the kept answers
 * (from their shadow calls or feedback; the shadow draw is uniform among kept queries, so their labelled share is an
 * unbiased sample), the accuracy relative to the apex alone, the saving, and `P_fail` against the observed error on
 * the IPW-weighted labelled queries. A window is flagged when the lower end of the kept error's 95% interval is above
 * `expectedKeptError` (the preset's calibrated value).
 */
export function trafficWindows(
  records: readonly TrafficRecord[],
  sample: LabelledSample,
  spec: WindowSpec,
  expectedKeptError?: number,
): WindowReport[] {
  const labels = new Map(sample.rows.map((row) => [row.record.query.id, row]));
  const groups = new Map<string, TrafficRecord[]>();
  records.forEach((record, i) => {
    const key = windowKey(record, i, spec, records.length);
    const group = groups.get(key) ?? [];
    group.push(record);
    groups.set(key, group);
  });
  return [...groups].map(([label, group]) => {
    const escalated = group.filter((r) => r.query.reachedApex).length;
    const kept = group
      .filter((r) => !r.query.reachedApex)
      .map((r) => labels.get(r.query.id))
      .filter((row) => row !== undefined);
    const keptWrong = kept.filter((row) => row.crowdWrong).length;
    const keptError = kept.length > 0 ? keptWrong / kept.length : Number.NaN;
    const interval = wilson(keptWrong, kept.length);
    const escalationRate = escalated / group.length;
    const cost = group.reduce((sum, r) => sum + r.query.cost.total, 0);
    const apexAlone = group.reduce((sum, r) => sum + r.query.cost.oracleOnly, 0);
    const labelled = group
      .map((r) => labels.get(r.query.id))
      .filter((row) => row !== undefined && row.record.query.pFail !== null);
    const weight = labelled.reduce((sum, row) => sum + (row?.weight ?? 0), 0);
    const meanPFail =
      weight > 0
        ? labelled.reduce((sum, row) => sum + (row ? row.weight * (row.record.query.pFail ?? 0) : 0), 0) / weight
        : Number.NaN;
    const observedError =
      weight > 0 ? labelled.reduce((sum, row) => sum + (row ? row.weight * row.label : 0), 0) / weight : Number.NaN;
    return {
      label,
      queries: group.length,
      escalationRate,
      keptLabelled: kept.length,
      keptError,
      keptErrorInterval: interval,
      accuracyVsApex: 1 - (1 - escalationRate) * (Number.isNaN(keptError) ? 0 : keptError),
      saving: apexAlone > 0 ? 1 - cost / apexAlone : Number.NaN,
      shadowCostUsd: group.reduce((sum, r) => sum + (r.shadow?.costUsd ?? 0), 0),
      meanPFail,
      observedError,
      flagged: expectedKeptError !== undefined && interval.low > expectedKeptError,
    };
  });
}

/** IPW-weighted reliability bins of `P_fail`: mean predicted against observed error, per tenth. */
export function reliabilityBins(
  sample: LabelledSample,
  bins = 10,
): { meanPFail: number; observedError: number; weight: number; count: number }[] {
  const acc = Array.from({ length: bins }, () => ({ p: 0, y: 0, w: 0, count: 0 }));
  for (const row of sample.rows) {
    const p = row.record.query.pFail;
    if (p === null) continue;
    const bin = acc[Math.min(bins - 1, Math.floor(p * bins))];
    bin.p += row.weight * p;
    bin.y += row.weight * row.label;
    bin.w += row.weight;
    bin.count++;
  }
  return acc
    .filter((b) => b.w > 0)
    .map((b) => ({ meanPFail: b.p / b.w, observedError: b.y / b.w, weight: b.w, count: b.count }));
}
