import type { Candidate } from "../../core/types.js";
import { clusterBySimilarity } from "./cluster.js";
import type { AnswerSimilarity } from "./similarity.js";

/** A tier's candidates re-keyed by meaning, and the member whose answer the tier returns. */
export interface SemanticVote {
  /**
   * The candidates, each answering one that voted keyed by its cluster (the medoid's key), with its row of
   * similarities to the tier's candidates (`similarities`, NaN for those that gave no answer).
   */
  readonly candidates: readonly Candidate[];
  /** Index of the medoid of the largest cluster (ties: the cluster whose first member comes first), or -1. */
  readonly winner: number;
}

/**
 * Votes free text by meaning: the candidates' answers are clustered by `similarity` (answers at least its threshold
 * alike are one answer; identical keys always are), each answer is re-keyed by its cluster's medoid, and the medoid
 * of the largest cluster wins. One `similarity.matrix` call per tier; when it fails, or fewer than two members
 * answered, the candidates keep their exact keys.
 */
export async function semanticVote(
  candidates: readonly Candidate[],
  similarity: AnswerSimilarity,
  signal?: AbortSignal,
): Promise<SemanticVote> {
  const answered = candidates.flatMap((candidate, index) =>
    candidate.answer !== null && candidate.error === undefined && candidate.invalid === undefined ? [index] : [],
  );
  if (answered.length < 2) return { candidates, winner: answered[0] ?? -1 };
  const texts = answered.map((index) => candidates[index].answer as string);
  let matrix: number[][];
  try {
    matrix = await similarity.matrix(texts, signal);
  } catch {
    return { candidates, winner: -1 };
  }
  for (let i = 0; i < texts.length; i++) {
    for (let j = 0; j < texts.length; j++) {
      const value = texts[i] === texts[j] ? 1 : matrix[i]?.[j];
      matrix[i][j] = Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
    }
  }
  const clusters = clusterBySimilarity(matrix, similarity.threshold);
  const relabelled = candidates.map((candidate, index) => {
    const position = answered.indexOf(index);
    if (position === -1) return candidate;
    const medoid = clusters.medoids[clusters.labels[position]];
    return {
      ...candidate,
      answer: texts[medoid],
      similarities: candidates.map((_, other) => {
        const at = answered.indexOf(other);
        return at === -1 ? Number.NaN : matrix[position][at];
      }),
    };
  });
  let largest = 0;
  for (let c = 1; c < clusters.sizes.length; c++) if (clusters.sizes[c] > clusters.sizes[largest]) largest = c;
  return { candidates: relabelled, winner: answered[clusters.medoids[largest]] };
}
