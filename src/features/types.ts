/**
 * A named, ordered feature vector computed from one tier's candidates.
 *
 * `values[i]` is the value of `names[i]`. A signal that is absent (no log-probabilities, a member that
 * failed, no self-reported confidence) is `NaN`, never a guess: XGBoost routes missing values natively.
 */
export interface FeatureVector {
  /** Feature names, in the order the router expects them. */
  readonly names: readonly string[];
  /** Feature values, `NaN` where the signal is absent. Same length as `names`. */
  readonly values: readonly number[];
}

/** Returns the value of feature `name`, or `NaN` when the vector does not have it. */
export function featureValue(vector: FeatureVector, name: string): number {
  const index = vector.names.indexOf(name);
  return index < 0 ? Number.NaN : vector.values[index];
}

/** Returns the feature vector as a plain `{ name: value }` record (NaN kept), for traces and metadata. */
export function featureRecord(vector: FeatureVector): Record<string, number> {
  const record: Record<string, number> = {};
  vector.names.forEach((name, i) => {
    record[name] = vector.values[i];
  });
  return record;
}
