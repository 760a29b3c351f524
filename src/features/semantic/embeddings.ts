import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { symmetricMatrix } from "./similarity.js";
import type { AnswerSimilarity } from "./similarity.js";

/** Cosine similarity of two vectors, clipped to [0, 1] (0 for a zero vector or different lengths). */
export function cosine(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  if (normA === 0 || normB === 0) return 0;
  return Math.min(1, Math.max(0, dot / Math.sqrt(normA * normB)));
}

/**
 * Similarity as the cosine of a LangChain `Embeddings` model's vectors (`OpenAIEmbeddings`, any
 * `EmbeddingsInterface`): one `embedDocuments` batch per call. Default threshold 0.85.
 */
export function embeddingsSimilarity(embeddings: EmbeddingsInterface, threshold = 0.85): AnswerSimilarity {
  return {
    kind: "embeddings",
    threshold,
    matrix: async (texts) => {
      const vectors = await embeddings.embedDocuments([...texts]);
      if (vectors.length !== texts.length) {
        throw new Error(`the embeddings model returned ${vectors.length} vectors for ${texts.length} texts`);
      }
      return symmetricMatrix(texts.length, (i, j) => cosine(vectors[i], vectors[j]));
    },
  };
}
