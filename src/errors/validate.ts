import type { z } from "zod";
import { PyramidConfigError } from "./errors.js";
import type { PyramidError } from "./base.js";

/** A `PyramidError` subclass whose constructor takes `(message, { field, fix, cause })`. */
export type ValidationErrorClass = new (
  message: string,
  options: { field?: string; fix?: string; cause?: unknown },
) => PyramidError;

/** How {@link validate} names a failure: the field, the fix, the error class and, optionally, the message. */
export interface ValidationOptions {
  /**
   * The field at fault: a prefix (`"trainRouter"` gives `trainRouter.<path>`, or the prefix alone for the root), or a
   * function of the issue's dotted path (`""` for the root).
   */
  readonly field: string | ((path: string, issue: z.core.$ZodIssue | undefined) => string);
  /** What to do about it. */
  readonly fix: string;
  /** The error class to throw; `PyramidConfigError` unless given. */
  readonly error?: ValidationErrorClass;
  /** The message from all of zod's issues (default: the first issue's message). */
  readonly message?: (issues: readonly z.core.$ZodIssue[]) => string;
}

/** The dotted path of a zod issue (`tiers.0.members.1`), `""` at the root; symbol keys are dropped. */
export function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path
    .filter((key) => typeof key !== "symbol")
    .map(String)
    .join(".");
}

/** Every issue as `path: message` (`(root)` for the root), joined by `; `. */
export function issuesText(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issuePath(issue) || "(root)"}: ${issue.message}`).join("; ");
}

/**
 * The one validation step at a boundary: parses `input` with `schema` and returns the parsed value, or throws a
 * `PyramidError` (by default a `PyramidConfigError`) naming the first faulty field and how to fix it, with the zod
 * error as its cause.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, options: ValidationOptions): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw validationError(result.error, options);
}

/** The error {@link validate} throws for a zod error (for callers that parse with `safeParse` themselves). */
export function validationError(error: z.ZodError, options: ValidationOptions): PyramidError {
  const issue = error.issues[0];
  const path = issue ? issuePath(issue) : "";
  const field =
    typeof options.field === "function"
      ? options.field(path, issue)
      : path.length > 0 && options.field.length > 0
        ? `${options.field}.${path}`
        : options.field || path;
  const message = options.message ? options.message(error.issues) : (issue?.message ?? "invalid value");
  const ErrorClass = options.error ?? PyramidConfigError;
  return new ErrorClass(message, { field, fix: options.fix, cause: error });
}

/**
 * Validates options against a zod schema and returns the parsed value, or throws a `PyramidConfigError` naming the
 * first faulty field (`<prefix>.<path>`) and pointing at the options' documentation.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, prefix: string): z.output<S> {
  return validate(schema, input, {
    field: prefix,
    fix: `Pass a valid value for ${prefix} (see the ${prefix} options documentation).`,
  });
}
