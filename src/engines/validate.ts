import type { z } from "zod";
import { PyramidConfigError } from "../errors/index.js";

/**
 * Validates `input` against a zod schema and returns the parsed value, or throws a
 * `PyramidConfigError` naming the first faulty field (`<prefix>.<path>`) and how to fix it.
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, prefix: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue?.path.map((p) => String(p)).join(".") ?? "";
  const field = path.length > 0 ? `${prefix}.${path}` : prefix;
  const message = issue?.message ?? "invalid options";
  throw new PyramidConfigError(message, {
    field,
    fix: `Pass a valid value for ${field} (see the ${prefix} options documentation).`,
    cause: result.error,
  });
}
