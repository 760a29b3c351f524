/** Answers grouped by meaning. */
export interface SemanticClusters {
  /** Cluster index of each text (clusters numbered in order of their first member). */
  readonly labels: readonly number[];
  /** Each cluster's medoid: the member with the largest total similarity to the rest of its cluster (first on ties). */
  readonly medoids: readonly number[];
  /** Each cluster's size. */
  readonly sizes: readonly number[];
}

/**
 * Clusters texts whose similarity is at or above `threshold` (single linkage: connected components of the graph of
 * similar pairs), then picks each cluster's medoid.
 */
export function clusterBySimilarity(matrix: readonly (readonly number[])[], threshold: number): SemanticClusters {
  const n = matrix.length;
  const labels = new Array<number>(n).fill(-1);
  let next = 0;
  for (let start = 0; start < n; start++) {
    if (labels[start] !== -1) continue;
    const stack = [start];
    labels[start] = next;
    while (stack.length > 0) {
      const i = stack.pop() as number;
      for (let j = 0; j < n; j++) {
        if (labels[j] === -1 && matrix[i][j] >= threshold) {
          labels[j] = next;
          stack.push(j);
        }
      }
    }
    next++;
  }
  const sizes = new Array<number>(next).fill(0);
  const medoids = new Array<number>(next).fill(-1);
  const best = new Array<number>(next).fill(-Infinity);
  for (let i = 0; i < n; i++) sizes[labels[i]]++;
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (let j = 0; j < n; j++) if (j !== i && labels[j] === labels[i]) total += matrix[i][j];
    if (total > best[labels[i]]) {
      best[labels[i]] = total;
      medoids[labels[i]] = i;
    }
  }
  return { labels, medoids, sizes };
}
