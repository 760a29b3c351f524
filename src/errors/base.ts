/**
 * Base class of every error thrown by pyramid-moa. Catch `PyramidError` to handle all of them.
 *
 * `field` names the option, file field or line at fault (when there is one) and `fix` says what to
 * do about it, so that messages are actionable: `crowd[1].model: expected a chat model. Fix: ...`.
 */
export class PyramidError extends Error {
  /** The option path, file field or `file:line` the error is about, when there is one. */
  readonly field?: string;
  /** A sentence telling the user how to fix the problem, when there is one. */
  readonly fix?: string;

  constructor(message: string, options: { field?: string; fix?: string; cause?: unknown } = {}) {
    const parts = [options.field ? `${options.field}: ${message}` : message];
    if (options.fix) parts.push(`Fix: ${options.fix}`);
    super(parts.join(" "), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.field = options.field;
    this.fix = options.fix;
  }
}
