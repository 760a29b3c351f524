import {
  chmodSync,
  closeSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, extname, join, relative, resolve, sep } from "node:path";
import { sanitizeTraceLine } from "./sanitize.js";
import type { TrafficLine } from "./schema.js";

/** Default size at which a trace file is rotated: 64 MiB. */
export const DEFAULT_TRACE_MAX_BYTES = 64 * 1024 * 1024;

/** Default number of rotated files a writer keeps (older ones are deleted): 10, so at most 11 x `maxBytes` on disk. */
export const DEFAULT_TRACE_MAX_FILES = 10;

/** Mode of every trace file: read and write for the owner only (traces hold answers, errors, sometimes prompts). */
export const TRACE_FILE_MODE = 0o600;

/** Mode of the folders a writer creates for its trace file. */
export const TRACE_DIR_MODE = 0o700;

/** Options of {@link TraceWriter}. */
export interface TraceWriterOptions {
  /** The trace file (JSONL). With `worker`, the file actually written is `<stem>.<worker><ext>` next to it. */
  readonly path: string;
  /** Rotate when the file would grow past this many bytes (default {@link DEFAULT_TRACE_MAX_BYTES}). */
  readonly maxBytes?: number;
  /** Rotated files kept, newest first; older ones are deleted at each rotation (default 10). */
  readonly maxFiles?: number;
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

/** Creates `dir` and its missing parents with mode 0700 whatever the umask (existing folders are left as they are). */
function makeTraceDir(dir: string): void {
  const first = mkdirSync(dir, { recursive: true, mode: TRACE_DIR_MODE });
  if (first === undefined) return;
  chmodSync(first, TRACE_DIR_MODE);
  let current = first;
  for (const part of relative(first, dir)
    .split(sep)
    .filter((p) => p.length > 0)) {
    current = join(current, part);
    chmodSync(current, TRACE_DIR_MODE);
  }
}

/** The stamp of a rotated file's name: `<time>-<pid>-<n>`. */
const ROTATED_STAMP = /^\d{8}T\d{6}-\d+-\d+$/;

/**
 * Appends trace lines to a JSONL file: each line is one `write(2)` on a file opened with `O_APPEND`, so lines are
 * never interleaved or torn, whatever the number of queries in flight; several processes write one file each
 * (`worker`). When the file would grow past `maxBytes` it is renamed to `<stem>.<time>-<pid>-<n><ext>` and a fresh
 * file is started; then only the newest `maxFiles` rotated files of this file are kept. Nothing is ever rewritten,
 * and the readers (`train`, `report`) read the rotated files too. Files are 0600 and the folders created for them
 * 0700, whatever the umask.
 */
export class TraceWriter {
  /** The file being appended to. */
  readonly file: string;
  private readonly maxBytes: number;
  private readonly maxFiles: number;
  private fd: number | undefined;
  private size = 0;
  private rotations = 0;

  /** Opens (creates) the file for appending. */
  constructor(options: TraceWriterOptions) {
    this.file = traceFileFor(options.path, options.worker);
    this.maxBytes = options.maxBytes ?? DEFAULT_TRACE_MAX_BYTES;
    this.maxFiles = options.maxFiles ?? DEFAULT_TRACE_MAX_FILES;
    makeTraceDir(dirname(this.file));
    this.open();
  }

  private open(): void {
    this.fd = openSync(this.file, "a", TRACE_FILE_MODE);
    // The mode given to open is filtered by the umask, and an existing file keeps its own: set it.
    fchmodSync(this.fd, TRACE_FILE_MODE);
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
    this.prune();
    this.open();
  }

  /** Deletes this file's rotated files beyond the newest `maxFiles` (by modification time, then time stamp and count). */
  private prune(): void {
    const dir = dirname(this.file);
    const ext = extname(this.file);
    const stem = `${basename(this.file, ext)}.`;
    const rotated = readdirSync(dir)
      .map((name) => ({ name, stamp: name.slice(stem.length, name.length - ext.length) }))
      .filter(({ name, stamp }) => name.startsWith(stem) && name.endsWith(ext) && ROTATED_STAMP.test(stamp))
      .map(({ name, stamp }) => ({
        name,
        time: stamp.slice(0, 15),
        count: Number(stamp.slice(stamp.lastIndexOf("-") + 1)),
        mtime: statSync(join(dir, name)).mtimeMs,
      }))
      .sort((a, b) => b.mtime - a.mtime || (a.time === b.time ? b.count - a.count : a.time < b.time ? 1 : -1));
    for (const old of rotated.slice(this.maxFiles)) {
      try {
        unlinkSync(join(dir, old.name));
      } catch {
        // Another process (a second server on the same file) deleted it first.
      }
    }
  }

  /** Appends one line, secrets masked and model errors summarised (`sanitizeTraceLine`), rotating first when it would not fit. */
  append(line: TrafficLine): void {
    const bytes = Buffer.from(`${JSON.stringify(sanitizeTraceLine(line))}\n`, "utf8");
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
