/**
 * How alike two answers are, in [0, 1], for voting free text by meaning: lexical (token F1, no model), cosine of a
 * LangChain `Embeddings` model's vectors, or a judge model's verdict. `threshold`: answers at least this similar
 * are one answer (they join one cluster).
 */
export interface AnswerSimilarity {
  /** Which kind of similarity (for traces and cache identity). */
  readonly kind: "lexical" | "embeddings" | "judge";
  /** Similarity at or above which two answers are the same answer. */
  readonly threshold: number;
  /**
   * The symmetric similarity matrix of `texts` (1 on the diagonal). Called once per tier and query; an embeddings
   * similarity makes one batch call. Rejects when the model fails (the vote then falls back to exact keys).
   */
  matrix(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

/** Fills a symmetric matrix from a pairwise function (1 on the diagonal). */
export function symmetricMatrix(n: number, pair: (i: number, j: number) => number): number[][] {
  const matrix: number[][] = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)),
  );
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const value = pair(i, j);
      matrix[i][j] = value;
      matrix[j][i] = value;
    }
  }
  return matrix;
}
