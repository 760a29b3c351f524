import { closeSync, fstatSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { TrafficLine } from "./schema.js";

/** Default size at which a trace file is rotated: 64 MiB. */
export const DEFAULT_TRACE_MAX_BYTES = 64 * 1024 * 1024;

/** Options of {@link TraceWriter}. */
export interface TraceWriterOptions {
  /** The trace file (JSONL). With `worker`, the file actually written is `<stem>.<worker><ext>` next to it. */
  readonly path: string;
  /** Rotate when the file would grow past this many bytes (default {@link DEFAULT_TRACE_MAX_BYTES}). */
  readonly maxBytes?: number;
  /** A name for this process among several writing the same traces (`serve --workers`): one file per worker. */
  readonly worker?: string;
}

/** The file a writer with these options appends to. */
export function traceFileFor(path: string, worker?: string): string {
  const full = resolve(path);
  if (worker === undefined) return full;
  const ext = extname(full);
  return join(dirname(full), `${basename(full, ext)}.${worker}${ext}`);
}

/**
 * Appends trace lines to a JSONL file: each line is one `write(2)` on a file opened with `O_APPEND`, so lines are
 * never interleaved or torn, whatever the number of queries in flight; several processes write one file each
 * (`worker`). When the file would grow past `maxBytes` it is renamed to `<stem>.<time>-<n><ext>` and a fresh file
 * is started: nothing is ever rewritten, and the readers (`train`, `report`) read the rotated files too.
 */
export class TraceWriter {
  /** The file being appended to. */
  readonly file: string;
  private readonly maxBytes: number;
  private fd: number | undefined;
  private size = 0;
  private rotations = 0;

  /** Opens (creates) the file for appending. */
  constructor(options: TraceWriterOptions) {
    this.file = traceFileFor(options.path, options.worker);
    this.maxBytes = options.maxBytes ?? DEFAULT_TRACE_MAX_BYTES;
    mkdirSync(dirname(this.file), { recursive: true });
    this.open();
  }

  private open(): void {
    this.fd = openSync(this.file, "a");
    this.size = fstatSync(this.fd).size;
  }

  private rotate(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    const ext = extname(this.file);
    const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\..*$/, "");
    this.rotations++;
    renameSync(
      this.file,
      join(dirname(this.file), `${basename(this.file, ext)}.${stamp}-${process.pid}-${this.rotations}${ext}`),
    );
    this.open();
  }

  /** Appends one line (rotating first when it would not fit). */
  append(line: TrafficLine): void {
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`, "utf8");
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate();
    if (this.fd === undefined) this.open();
    let written = 0;
    while (written < bytes.length) written += writeSync(this.fd as number, bytes, written, bytes.length - written);
    this.size += bytes.length;
  }

  /** Closes the file (idempotent); a later `append` reopens it. */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
