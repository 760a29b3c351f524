import { resolve } from "node:path";
import { statSync, type Stats } from "node:fs";
import { z } from "zod";
import { PyramidConfigError } from "../errors/index.js";
import { readJsonlFile } from "./jsonl.js";
import { promptKey } from "./prompt_key.js";
import { recordedLineSchema, type RecordedLine } from "./schema.js";
import { ReplayChatModel, type ReplayChatModelFields } from "./replay_chat_model.js";

/** Options of {@link RecordedOutputs.load}, validated with zod. */
export const recordedOutputsOptionsSchema = z.object({
  /** Throw `DataFormatError` on the first bad line instead of skipping it with a warning. */
  strict: z.boolean().optional(),
  /** Receives warnings (bad lines); defaults to `console.warn`. */
  onWarning: z.custom<(message: string) => void>((v) => typeof v === "function").optional(),
  /** Load the file again even when it is cached (it is also reloaded when its size or mtime changed). */
  reload: z.boolean().optional(),
});

/** Options of {@link RecordedOutputs.load}. */
export type RecordedOutputsOptions = z.infer<typeof recordedOutputsOptionsSchema>;

interface CacheEntry {
  size: number;
  mtimeMs: number;
  strict: boolean;
  store: RecordedOutputs;
}

const cache = new Map<string, CacheEntry>();

/**
 * An index of a recorded-outputs JSONL file: (model, exact message contents) -> recorded lines.
 *
 * Load it with {@link RecordedOutputs.load}: a file is read and indexed once per process and
 * shared by every replayed model (the cache is keyed by absolute path and invalidated when the
 * file's size or mtime change). `replay.model(name)` gives a {@link ReplayChatModel} per recorded
 * model.
 *
 * Two items can share a prompt (in recorded/mbpp.jsonl, sanitized tasks 71 and 141 are both "Write
 * a function to sort a list of elements."): {@link RecordedOutputs.lookup} returns every match, and
 * replayed models pick by the `recordedId` call option, else the first recorded one.
 */
export class RecordedOutputs {
  /** Absolute path of the file, or `undefined` for an in-memory store. */
  readonly file?: string;
  /** Every valid line, in file order. */
  readonly lines: readonly RecordedLine[];
  /** Bad lines that were skipped, with their 1-based line numbers. */
  readonly problems: readonly { line: number; message: string }[];
  private readonly index = new Map<string, RecordedLine[]>();
  private readonly modelNames: string[] = [];

  /** Builds an index over `lines` (use {@link RecordedOutputs.load} for files). */
  constructor(
    lines: readonly RecordedLine[],
    options: { file?: string; problems?: readonly { line: number; message: string }[] } = {},
  ) {
    this.file = options.file;
    this.lines = lines;
    this.problems = options.problems ?? [];
    const seen = new Set<string>();
    for (const line of lines) {
      this.add(line);
      if (!seen.has(line.model)) {
        seen.add(line.model);
        this.modelNames.push(line.model);
      }
    }
  }

  /**
   * Loads (once per process) and indexes a recorded JSONL file. Bad lines are reported with their
   * line number and skipped, unless `strict` (then `DataFormatError`).
   */
  static load(file: string, options: RecordedOutputsOptions = {}): RecordedOutputs {
    const opts = recordedOutputsOptionsSchema.parse(options);
    const path = resolve(file);
    let stat: Stats;
    try {
      stat = statSync(path);
    } catch (error) {
      throw new PyramidConfigError(`recorded outputs file not found: ${path}`, {
        field: "file",
        fix: "pass the path of a recorded JSONL file (see ../shared/data/README.md), or set PYRAMID_DATA_DIR",
        cause: error,
      });
    }
    const strict = opts.strict ?? false;
    const cached = cache.get(path);
    if (
      !opts.reload &&
      cached &&
      cached.size === stat.size &&
      cached.mtimeMs === stat.mtimeMs &&
      (cached.strict || !strict)
    ) {
      return cached.store;
    }
    const { rows, problems } = readJsonlFile(path, recordedLineSchema, {
      strict,
      onWarning: opts.onWarning,
    });
    const store = new RecordedOutputs(
      rows.map((r) => r.value),
      { file: path, problems },
    );
    cache.set(path, { size: stat.size, mtimeMs: stat.mtimeMs, strict, store });
    return store;
  }

  /** Forgets every cached file (for tests and long-running processes). */
  static clearCache(): void {
    cache.clear();
  }

  /** The model names in the file, in order of first appearance. */
  get models(): readonly string[] {
    return this.modelNames;
  }

  /** Every recorded line for this model and these exact message contents (empty when none). */
  lookup(model: string, contents: readonly string[]): readonly RecordedLine[] {
    return this.index.get(promptKey(model, contents)) ?? [];
  }

  /** Whether (model, contents) was recorded. */
  has(model: string, contents: readonly string[]): boolean {
    return this.index.has(promptKey(model, contents));
  }

  /** Adds a line to the in-memory index (used by the recorder as it appends). */
  add(line: RecordedLine): void {
    const key = promptKey(
      line.model,
      line.messages.map((m) => m.content),
    );
    const list = this.index.get(key);
    if (list) list.push(line);
    else this.index.set(key, [line]);
  }

  /**
   * A chat model replaying `model`'s recorded outputs from this store.
   * Throws `PyramidConfigError` if the file has no line for that model.
   */
  model(model: string, fields: Omit<ReplayChatModelFields, "store" | "model"> = {}): ReplayChatModel {
    if (!this.modelNames.includes(model)) {
      throw new PyramidConfigError(`no recorded outputs for model "${model}"`, {
        field: "model",
        fix: `use one of: ${this.modelNames.join(", ")}`,
      });
    }
    return new ReplayChatModel({ ...fields, store: this, model });
  }
}
