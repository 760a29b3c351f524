import { readFileSync } from "node:fs";
import type { PyramidError } from "../errors/base.js";

/** A {@link PyramidError} subclass, constructed as `new ErrorClass(message, { field, fix, cause })`. */
export type PyramidErrorClass = new (
  message: string,
  options: { field?: string; fix?: string; cause?: unknown },
) => PyramidError;

/** What {@link readTextFile} says when the file cannot be read. */
export interface ReadTextFileFailure {
  /** The error class to throw. */
  readonly error: PyramidErrorClass;
  /** What the file is, for the message: `cannot read the <what>: <reason>.` (e.g. `"traces file"`). */
  readonly what: string;
  /** The fix the error suggests. */
  readonly fix: string;
}

/**
 * Reads a UTF-8 text file. A file that cannot be read (missing, a directory, no permission) throws
 * `failure.error` with the path as its field and the system's reason in the message.
 */
export function readTextFile(path: string, failure: ReadTextFileFailure): string {
  try {
    return readFileSync(path, "utf8");
  } catch (cause) {
    throw new failure.error(
      `cannot read the ${failure.what}: ${cause instanceof Error ? cause.message : String(cause)}.`,
      {
        field: path,
        fix: failure.fix,
        cause,
      },
    );
  }
}
