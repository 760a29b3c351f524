import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { evalTraceLineSchema } from "../../core/trace_schema.js";
import type { EvalTraceLine } from "../../core/trace_schema.js";

/**
 * An append-only `traces.jsonl`: each line is written with one `appendFileSync` call, so an interrupted or killed
 * run leaves only whole lines (plus at most one torn last line, which {@link readCompletedTraces} drops and
 * {@link TracesFile.open} cuts off), and a re-run continues where it stopped with no lost and no duplicated lines.
 */
export class TracesFile {
  private readonly done: Map<string, EvalTraceLine>;

  private constructor(
    readonly path: string,
    done: Map<string, EvalTraceLine>,
  ) {
    this.done = done;
  }

  /** Opens (or creates) the file, keeping the complete lines already in it. */
  static open(path: string): TracesFile {
    const done = new Map<string, EvalTraceLine>();
    if (existsSync(path)) {
      const { lines, validText } = readCompletedTraces(path);
      for (const line of lines) done.set(line.id, line);
      // Drop a torn last line so the next append starts on a fresh line.
      if (validText !== readFileSync(path, "utf8")) writeFileSync(path, validText);
    } else {
      writeFileSync(path, "");
    }
    return new TracesFile(path, done);
  }

  /** Whether the trace of `id` is already written. */
  has(id: string): boolean {
    return this.done.has(id);
  }

  /** Appends one trace line. */
  append(line: EvalTraceLine): void {
    if (this.done.has(line.id)) return;
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    this.done.set(line.id, line);
  }

  /** Every trace written so far, in the order of `ids`. */
  inOrder(ids: readonly string[]): EvalTraceLine[] {
    return ids.flatMap((id) => {
      const line = this.done.get(id);
      return line ? [line] : [];
    });
  }
}

/** The complete, valid lines of a traces file, and the text of those lines (without a torn tail). */
export function readCompletedTraces(path: string): { lines: EvalTraceLine[]; validText: string } {
  const text = readFileSync(path, "utf8");
  const lines: EvalTraceLine[] = [];
  let validText = "";
  for (const raw of text.split("\n")) {
    if (!raw.trim()) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      break;
    }
    const result = evalTraceLineSchema.safeParse(parsed);
    if (!result.success) break;
    lines.push(result.data);
    validText += `${raw}\n`;
  }
  return { lines, validText };
}
