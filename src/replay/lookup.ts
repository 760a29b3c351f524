import type { RecordedLine } from "./schema.js";

/**
 * What a {@link ReplayChatModel} reads from its store of recorded outputs: the lines recorded for a model and
 * an exact prompt, and the file they came from. `RecordedOutputs` is the store that implements it.
 */
export interface RecordedLookup {
  /** The recorded file, when the store was loaded from one (named in `ReplayMissError`). */
  readonly file?: string;
  /** Every line recorded for `model` on exactly these message contents (empty when none). */
  lookup(model: string, contents: readonly string[]): readonly RecordedLine[];
}
