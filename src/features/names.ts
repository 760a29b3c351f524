import { BASE_FEATURES, definitionNames } from "./definitions.js";

/**
 * Ordered feature names for a tier of `members` members: every base feature of `BASE_FEATURES` in order, a
 * per-member feature as `<name>_0 ... <name>_<members-1>`. What each one means is declared with it (and listed
 * in docs/features.md); absent signals are NaN.
 */
export function featureNames(members: number): string[] {
  return BASE_FEATURES.flatMap((definition) => definitionNames(definition, members));
}
