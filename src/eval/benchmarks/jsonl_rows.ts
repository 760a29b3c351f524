import type { z } from "zod";
import { DataFormatError } from "../../errors/index.js";
import { issuesText, validate } from "../../errors/validate.js";

/**
 * Parses JSONL text and validates every row with `schema`; a bad row throws
 * {@link DataFormatError} naming `source:line` (benchmark files must be intact).
 */
export function parseJsonlRows<S extends z.ZodType>(text: string, schema: S, source: string): z.infer<S>[] {
  const out: z.infer<S>[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i];
    if (raw.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new DataFormatError("invalid JSON", {
        field: `${source}:${i + 1}`,
        fix: "restore the file from upstream",
        cause: error,
      });
    }
    out.push(
      validate(schema, value, {
        error: DataFormatError,
        field: () => `${source}:${i + 1}`,
        message: issuesText,
        fix: "restore the file from upstream",
      }),
    );
  }
  return out;
}
