import type { CandidateBehaviour } from "./run.js";

/** The code behavioural agreement of one set of candidates (see {@link behaviourFeatureNames}). */
export interface BehaviourAgreement {
  /** Probe inputs found; NaN when no run reported them. */
  readonly probes: number;
  /** Largest behaviour cluster / members that answered; NaN without probes. */
  readonly clusterShare: number;
  /** Mean over pairs of answered members of the share of probes with the same result; NaN without probes or pairs. */
  readonly pairwiseAgreement: number;
  /** Answered members whose code failed (no code, syntax, crash, timeout, every probe raising); NaN without probes. */
  readonly failed: number;
  /** Per member: 1 when in the largest cluster, 0 when not (or failed), NaN when absent or without probes. */
  readonly inLargest: readonly number[];
  /**
   * Per member: the share of the outputs it wrote down for calls in its own examples (`assert f(x) == y`,
   * `print(f(x))  # Output: y`, a doctest `>>> f(x)` then `y`) that its code returns; 0 when its code failed, NaN
   * when the member is absent, wrote none down, or no probe was found.
   */
  readonly claimsMet: readonly number[];
}

/** Whether a run counts as behaving: it ran and at least one probe returned (not raised, not unmapped). */
function behaves(b: CandidateBehaviour): b is Extract<CandidateBehaviour, { kind: "ran" }> {
  return b.kind === "ran" && b.results.some((r) => !r.startsWith("!") && !r.startsWith("?"));
}

/**
 * Clusters candidates by behaviour: two candidates are in one cluster when every probe gives the same result.
 * Candidates that failed, or whose every probe raised or could not be mapped, are in no cluster. The largest
 * cluster's ties go to the cluster holding the earliest member (as the vote's ties go to the member listed first).
 */
export function behaviourAgreement(behaviours: readonly CandidateBehaviour[]): BehaviourAgreement {
  const n = behaviours.length;
  const withProbes = behaviours.find((b) => b.kind === "ran" || (b.kind === "failed" && b.probes !== undefined));
  const probes: readonly string[] | undefined =
    withProbes && withProbes.kind !== "absent" ? (withProbes.probes ?? undefined) : undefined;
  const nan = (probeCount: number): BehaviourAgreement => ({
    probes: probeCount,
    clusterShare: Number.NaN,
    pairwiseAgreement: Number.NaN,
    failed: Number.NaN,
    inLargest: Array.from({ length: n }, () => Number.NaN),
    claimsMet: Array.from({ length: n }, () => Number.NaN),
  });
  if (!probes) return nan(Number.NaN);
  if (probes.length === 0) return nan(0);
  const answered = behaviours.map((b) => b.kind !== "absent");
  const answeredCount = answered.filter(Boolean).length;
  if (answeredCount === 0) return nan(probes.length);
  // Results aligned on this probe list (a run that found other probes, which should not happen, misses some).
  const aligned = behaviours.map((b) => {
    if (!behaves(b)) return null;
    const byKey = new Map(b.probes.map((key, i) => [key, b.results[i]]));
    return probes.map((key) => byKey.get(key) ?? "?missing");
  });
  const clusters = new Map<string, number[]>();
  aligned.forEach((results, i) => {
    if (!results) return;
    const key = results.join("\u0000");
    const members = clusters.get(key);
    if (members) members.push(i);
    else clusters.set(key, [i]);
  });
  let largest: number[] = [];
  for (const members of clusters.values()) {
    if (members.length > largest.length || (members.length === largest.length && members[0] < largest[0]))
      largest = members;
  }
  let pairSum = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (!answered[i] || !answered[j]) continue;
      pairs++;
      const a = aligned[i];
      const b = aligned[j];
      if (!a || !b) continue;
      let same = 0;
      for (let k = 0; k < probes.length; k++) if (a[k] === b[k]) same++;
      pairSum += same / probes.length;
    }
  }
  const inLargest = new Set(largest);
  return {
    probes: probes.length,
    clusterShare: largest.length / answeredCount,
    pairwiseAgreement: pairs > 0 ? pairSum / pairs : Number.NaN,
    failed: behaviours.filter((_, i) => answered[i] && aligned[i] === null).length,
    inLargest: behaviours.map((b, i) => (b.kind === "absent" ? Number.NaN : inLargest.has(i) ? 1 : 0)),
    claimsMet: behaviours.map(claimsMet),
  };
}

/** A member's share of its own claims that its code meets: NaN when absent or it claimed nothing, 0 when it failed. */
function claimsMet(b: CandidateBehaviour): number {
  if (b.kind === "absent") return Number.NaN;
  if (b.kind === "failed") return b.claimed?.some(Boolean) ? 0 : Number.NaN;
  const own = b.claims.filter((x) => x !== null);
  return own.length === 0 ? Number.NaN : own.filter((x) => x === true).length / own.length;
}

/**
 * Names of the code behavioural agreement features for a tier of `members` members: `behaviour_probes`,
 * `behaviour_cluster_share`, `behaviour_pairwise_agreement`, `behaviour_failed`, then `behaviour_in_largest_<i>`
 * per member position; with `claims` also `behaviour_claims_met_<i>` per member position (see
 * {@link BehaviourAgreement}).
 */
export function behaviourFeatureNames(members: number, claims = false): string[] {
  const perMember = (prefix: string): string[] => Array.from({ length: members }, (_, i) => `${prefix}_${i}`);
  return [
    "behaviour_probes",
    "behaviour_cluster_share",
    "behaviour_pairwise_agreement",
    "behaviour_failed",
    ...perMember("behaviour_in_largest"),
    ...(claims ? perMember(BEHAVIOUR_CLAIMS_PREFIX) : []),
  ];
}

/** The prefix of the claim features (`behaviour_claims_met_<i>`): a router trained with them turns them on. */
export const BEHAVIOUR_CLAIMS_PREFIX = "behaviour_claims_met";

/** The values of {@link behaviourFeatureNames}, in order (with the same `claims`). */
export function behaviourFeatureValues(agreement: BehaviourAgreement, claims = false): number[] {
  return [
    agreement.probes,
    agreement.clusterShare,
    agreement.pairwiseAgreement,
    agreement.failed,
    ...agreement.inLargest,
    ...(claims ? agreement.claimsMet : []),
  ];
}
