import { readFileSync } from "node:fs";
import type { z } from "zod";
import { DataFormatError } from "../errors/index.js";
import { issuesText } from "../errors/validate.js";

/** Options of {@link readJsonlFile}. */
export interface ReadJsonlOptions {
  /** Throw {@link DataFormatError} on the first bad line instead of skipping it. */
  strict?: boolean;
  /** Receives one message per skipped line; defaults to `console.warn`. */
  onWarning?: (message: string) => void;
}

/** A parsed JSONL file: the valid rows (with their 1-based line numbers) and the problems found. */
export interface JsonlReadResult<T> {
  rows: { line: number; value: T }[];
  problems: { line: number; message: string }[];
}

/**
 * Reads a JSONL file and validates each line with `schema`.
 *
 * A bad line is reported (file:line and the zod message) and skipped, or throws
 * {@link DataFormatError} when `strict`. A last line without its terminating newline that does not
 * parse is the trace of an interrupted append: it is always skipped with a warning, even when
 * `strict`, because the writer never produced it completely.
 */
export function readJsonlFile<S extends z.ZodType>(
  file: string,
  schema: S,
  options: ReadJsonlOptions = {},
): JsonlReadResult<z.infer<S>> {
  const warn = options.onWarning ?? ((m: string) => console.warn(m));
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  const endsWithNewline = text.endsWith("\n");
  const rows: { line: number; value: z.infer<S> }[] = [];
  const problems: { line: number; message: string }[] = [];
  for (let i = 0; i < lines.length; i += 1) {
    const raw = lines[i];
    if (raw.trim() === "") continue;
    const lineNo = i + 1;
    const isUnterminatedLast = i === lines.length - 1 && !endsWithNewline;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      if (isUnterminatedLast) {
        const message = `truncated last line (an interrupted write?), ignored`;
        problems.push({ line: lineNo, message });
        warn(`${file}:${lineNo}: ${message}`);
        continue;
      }
      const message = `invalid JSON (${(error as Error).message})`;
      if (options.strict) {
        throw new DataFormatError(message, {
          field: `${file}:${lineNo}`,
          fix: "repair or delete that line, or load without strict to skip it",
          cause: error,
        });
      }
      problems.push({ line: lineNo, message });
      warn(`${file}:${lineNo}: ${message}; line skipped`);
      continue;
    }
    const result = schema.safeParse(parsed);
    if (!result.success) {
      const message = issuesText(result.error.issues);
      if (options.strict) {
        throw new DataFormatError(message, {
          field: `${file}:${lineNo}`,
          fix: "repair or delete that line, or load without strict to skip it",
        });
      }
      problems.push({ line: lineNo, message });
      warn(`${file}:${lineNo}: ${message}; line skipped`);
      continue;
    }
    rows.push({ line: lineNo, value: result.data });
  }
  return { rows, problems };
}
