/** The outcome of a majority vote over the members' answer keys. */
export interface VoteResult {
  /** The winning answer key, or `null` when no member gave an answer. */
  readonly key: string | null;
  /** Index of the first member (in member order) whose answer is the winning one, or -1. */
  readonly winner: number;
  /** Size of the largest cluster. */
  readonly count: number;
  /** Members that gave an extractable answer. */
  readonly voters: number;
  /** Distinct answers given. */
  readonly distinct: number;
  /** Shannon entropy (nats) of the answers' distribution over clusters; 0 when unanimous. */
  readonly entropy: number;
}

/**
 * Majority vote over answer keys given in member order (`null` = no answer). Ties go to the cluster whose
 * first member comes first in member order.
 */
export function majorityVote(keys: readonly (string | null)[]): VoteResult {
  const clusters = new Map<string, { count: number; first: number }>();
  keys.forEach((key, index) => {
    if (key === null) return;
    const cluster = clusters.get(key);
    if (cluster) cluster.count++;
    else clusters.set(key, { count: 1, first: index });
  });
  let best: { key: string; count: number; first: number } | null = null;
  let voters = 0;
  for (const [key, cluster] of clusters) {
    voters += cluster.count;
    if (!best || cluster.count > best.count || (cluster.count === best.count && cluster.first < best.first)) {
      best = { key, ...cluster };
    }
  }
  let entropy = 0;
  for (const cluster of clusters.values()) {
    const p = cluster.count / voters;
    entropy -= p * Math.log(p);
  }
  return {
    key: best?.key ?? null,
    winner: best?.first ?? -1,
    count: best?.count ?? 0,
    voters,
    distinct: clusters.size,
    entropy: entropy === 0 ? 0 : entropy,
  };
}
