import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import type { AnswerTask } from "../answers/types.js";
import { embeddingsSimilarity } from "../features/semantic/embeddings.js";
import { lexicalSimilarity } from "../features/semantic/lexical.js";
import type { AnswerSimilarity } from "../features/semantic/similarity.js";

/**
 * How free text is voted by meaning, as `PyramidOptions.similarity` takes it: `"lexical"` (token F1, no model),
 * `"exact"` (exact keys only), a LangChain `Embeddings` model (cosine), or any {@link AnswerSimilarity} (e.g.
 * `judgeSimilarity(model)`).
 */
export type SimilarityInput = "lexical" | "exact" | EmbeddingsInterface | AnswerSimilarity;

/** Whether a value is an `AnswerSimilarity` (rather than an `Embeddings` model). */
function isAnswerSimilarity(value: EmbeddingsInterface | AnswerSimilarity): value is AnswerSimilarity {
  return typeof (value as AnswerSimilarity).matrix === "function";
}

/** Whether a value can be given as `similarity` in code. */
export function isSimilarityInput(value: unknown): value is SimilarityInput {
  if (value === "lexical" || value === "exact") return true;
  if (value === null || typeof value !== "object") return false;
  return (
    typeof (value as AnswerSimilarity).matrix === "function" ||
    typeof (value as EmbeddingsInterface).embedDocuments === "function"
  );
}

/**
 * The similarity a pyramid votes by: for `task: "short-answer"` lexical by default; for `task: "text"` (and the
 * default task) only when `similarity` is given, so that pyramids that vote whole texts exactly keep their features;
 * never for the other tasks, whose keys are canonical already. `"exact"` turns it off.
 */
export function resolveSimilarity(options: {
  readonly task?: AnswerTask;
  readonly similarity?: SimilarityInput;
  readonly similarityThreshold?: number;
}): AnswerSimilarity | undefined {
  const task = options.task ?? "text";
  if (task !== "text" && task !== "short-answer") return undefined;
  const setting = options.similarity ?? (task === "short-answer" ? "lexical" : "exact");
  if (setting === "exact") return undefined;
  if (setting === "lexical") return lexicalSimilarity(options.similarityThreshold);
  if (isAnswerSimilarity(setting)) return setting;
  return embeddingsSimilarity(setting, options.similarityThreshold);
}
