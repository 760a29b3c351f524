import type { Candidate } from "../../core/types.js";
import type { FeatureGroup } from "../group.js";
import { SEMANTIC_FEATURE_NAMES } from "./names.js";

/**
 * The semantic-vote features ({@link SEMANTIC_FEATURE_NAMES}) of candidates re-keyed by `semanticVote` (their
 * `similarities` rows). All NaN when no two answering candidates carry similarities.
 */
export function semanticFeatures(candidates: readonly Candidate[]): number[] {
  const answered = candidates.flatMap((candidate, index) =>
    candidate.answer !== null && candidate.error === undefined && candidate.similarities ? [index] : [],
  );
  if (answered.length < 2) return SEMANTIC_FEATURE_NAMES.map(() => Number.NaN);
  const counts = new Map<string, number>();
  for (const index of answered) {
    const key = candidates[index].answer as string;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  let entropy = 0;
  for (const count of counts.values()) {
    const p = count / answered.length;
    entropy -= p * Math.log(p);
  }
  const pairs: number[] = [];
  for (let a = 0; a < answered.length; a++) {
    for (let b = a + 1; b < answered.length; b++) {
      const value = candidates[answered[a]].similarities?.[answered[b]];
      if (value !== undefined && Number.isFinite(value)) pairs.push(value);
    }
  }
  return [
    Math.max(...counts.values()) / answered.length,
    entropy === 0 ? 0 : entropy,
    pairs.length > 0 ? pairs.reduce((s, v) => s + v, 0) / pairs.length : Number.NaN,
    pairs.length > 0 ? Math.max(...pairs) : Number.NaN,
  ];
}

/** The feature group of the semantic vote: its four features after the base features. */
export const semanticFeatureGroup: FeatureGroup = {
  name: "semantic",
  names: () => [...SEMANTIC_FEATURE_NAMES],
  compute: async (candidates) => semanticFeatures(candidates),
};
