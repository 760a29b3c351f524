/** Lower-cased word tokens of a text. */
function wordSet(text: string): Set<string> {
  return new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
}

/** Jaccard similarity of two word sets (1 when both are empty). */
function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const word of small) if (large.has(word)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * Mean pairwise lexical similarity (Jaccard over word sets) of the given outputs; NaN for fewer than two.
 * Needs no model, so it is available for every crowd.
 */
export function meanPairwiseSimilarity(texts: readonly string[]): number {
  if (texts.length < 2) return Number.NaN;
  const sets = texts.map(wordSet);
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < sets.length; i++) {
    for (let j = i + 1; j < sets.length; j++) {
      sum += jaccard(sets[i], sets[j]);
      pairs++;
    }
  }
  return sum / pairs;
}
