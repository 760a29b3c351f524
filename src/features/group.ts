import type { Candidate } from "../core/types.js";
import { computeFeatures } from "./compute.js";
import { featureNames } from "./names.js";
import type { FeatureVector } from "./types.js";

/** What a {@link FeatureGroup} may read besides the candidates: only what the user has at inference time. */
export interface FeatureContext {
  /** The user's request (the text of the last user message); `""` when there is none. */
  readonly prompt: string;
  /** The query's signal: a group stops its work when it aborts (and returns NaN values, never throws). */
  readonly signal?: AbortSignal;
}

/**
 * A named block of features appended after the base features ({@link featureNames}): for example the code
 * behavioural agreement of `task: "code"`. A group never fails a query: an absent signal is NaN.
 */
export interface FeatureGroup {
  /** Group name, e.g. `code_behaviour`. */
  readonly name: string;
  /** The group's feature names for a tier of `members` members, in order. */
  names(members: number): string[];
  /** The group's values, one per name (NaN where absent). Must resolve, never reject. */
  compute(candidates: readonly Candidate[], context: FeatureContext): Promise<number[]>;
}

/** Base feature names followed by each group's names, in group order. */
export function featureNamesWith(members: number, groups: readonly FeatureGroup[]): string[] {
  return [...featureNames(members), ...groups.flatMap((group) => group.names(members))];
}

/**
 * The feature vector of one tier's candidates: the base features ({@link computeFeatures}) followed by every
 * group's features. Groups run concurrently; a group whose values do not match its names gives NaN.
 */
export async function computeFeaturesWith(
  candidates: readonly Candidate[],
  groups: readonly FeatureGroup[],
  context: FeatureContext,
): Promise<FeatureVector> {
  const base = computeFeatures(candidates);
  if (groups.length === 0) return base;
  const extra = await Promise.all(
    groups.map(async (group) => {
      const names = group.names(candidates.length);
      let values: number[];
      try {
        values = await group.compute(candidates, context);
      } catch {
        values = [];
      }
      return values.length === names.length ? { names, values } : { names, values: names.map(() => Number.NaN) };
    }),
  );
  return {
    names: [...base.names, ...extra.flatMap((e) => e.names)],
    values: [...base.values, ...extra.flatMap((e) => e.values)],
  };
}
