/**
 * Token-count estimate for text whose real count is unknown (the recorded files carry none):
 * `ceil(characters / 4)`, the usual rule of thumb for English text with BPE tokenizers. It is an
 * estimate; results that use it are marked `tokenUsageEstimated: true`.
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}
