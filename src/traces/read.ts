import { existsSync, readdirSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import { DataFormatError } from "../errors/index.js";
import { readTextFile } from "../utils/read_text.js";
import { trafficLineSchema } from "./schema.js";
import type { FeedbackTraceLine, QueryTraceLine, ShadowTraceLine } from "./schema.js";

/**
 * The files of a production trace: `path` itself and every `<stem>.*<ext>` next to it (the per-worker files of
 * `serve --workers` and the rotated files), sorted by name.
 */
export function trafficFiles(path: string): string[] {
  const full = resolve(path);
  const dir = dirname(full);
  const ext = extname(full);
  const stem = basename(full, ext);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter(
      (name) =>
        name === basename(full) ||
        (name.startsWith(`${stem}.`) && name.endsWith(ext) && name.length > stem.length + ext.length + 1),
    )
    .sort()
    .map((name) => join(dir, name));
}

/** One answered query with what was learnt about it later: its shadow call and its feedback, if any. */
export interface TrafficRecord {
  readonly query: QueryTraceLine;
  readonly shadow?: ShadowTraceLine;
  /** The last feedback given for the query. */
  readonly feedback?: FeedbackTraceLine;
}

/** Every line of a production trace (all its files), joined by query id, in order of time. */
export interface TrafficLog {
  readonly records: TrafficRecord[];
  readonly files: string[];
  /** Feedback or shadow lines whose query is in no file (e.g. a rotated file was deleted). */
  readonly orphans: number;
}

/**
 * Reads a production trace written by `traces` / `serve --traces` (all its worker and rotated files) and joins
 * each query with its shadow call and feedback. A line cut short by a crash at the very end of a file is skipped;
 * any other bad line is an error naming `file:line`.
 *
 * @throws DataFormatError when there is no file, or a line is not JSON or not a trace line.
 */
export function readTraffic(path: string): TrafficLog {
  const files = trafficFiles(path);
  if (files.length === 0) {
    throw new DataFormatError("no production trace file found", {
      field: path,
      fix: "pass the file given to `serve --traces` (or the pyramid's traces option)",
    });
  }
  const queries = new Map<string, QueryTraceLine>();
  const shadows = new Map<string, ShadowTraceLine>();
  const feedback = new Map<string, FeedbackTraceLine>();
  for (const file of files) {
    const text = readTextFile(file, {
      error: DataFormatError,
      what: "trace file",
      fix: "pass a production trace JSONL file",
    });
    const lines = text.split("\n");
    lines.forEach((line, index) => {
      if (line.trim() === "") return;
      const where = `${file}:${index + 1}`;
      const last = index === lines.length - 1;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch (cause) {
        if (last) return; // a write cut short by a crash: only ever the last line, without its newline
        throw new DataFormatError("not valid JSON", {
          field: where,
          fix: "each line must be one JSON trace line",
          cause,
        });
      }
      const parsed = trafficLineSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new DataFormatError(
          `not a production trace line: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
          {
            field: where,
            fix: "production traces are written by the pyramid's traces option (src/traces/schema.ts); graded evaluation traces go to `train` without --labels",
          },
        );
      }
      const value = parsed.data;
      if (value.type === "query") queries.set(value.id, value);
      else if (value.type === "shadow") shadows.set(value.id, value);
      else feedback.set(value.id, value);
    });
  }
  const records = [...queries.values()]
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.id < b.id ? -1 : 1))
    .map((query) => ({
      query,
      ...(shadows.has(query.id) ? { shadow: shadows.get(query.id) } : {}),
      ...(feedback.has(query.id) ? { feedback: feedback.get(query.id) } : {}),
    }));
  let orphans = 0;
  for (const id of new Set([...shadows.keys(), ...feedback.keys()])) if (!queries.has(id)) orphans++;
  return { records, files, orphans };
}
