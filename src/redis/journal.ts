import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";

/** One spend that could not be recorded in Redis: the settle script's keys and arguments, as they were. */
export interface JournalEntry {
  readonly keys: readonly string[];
  readonly args: ReadonlyArray<string | number>;
}

/**
 * A local append-only file of the spend a process could not record in Redis (Redis down or unreachable): each entry
 * is appended and fsynced before the call returns, and replayed into Redis by {@link replay} once Redis answers
 * again, so that no spend is lost. One file per process (two processes must not share one).
 */
export class SpendJournal {
  /** Whether entries may be waiting (set on append, and when the file exists at start). */
  private pending: boolean;
  private replaying?: Promise<void>;

  /** A journal at `path` (created with its folder on the first append, mode 0600). */
  constructor(readonly path: string) {
    this.pending = existsSync(path) || existsSync(`${path}.replaying`);
  }

  /** Appends `entry` and fsyncs the file. */
  append(entry: JournalEntry): void {
    mkdirSync(dirname(this.path), { recursive: true });
    const fd = openSync(this.path, "a", 0o600);
    try {
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.pending = true;
  }

  /** Whether entries may be waiting to be replayed. */
  get hasPending(): boolean {
    return this.pending;
  }

  /**
   * Replays every entry with `apply` (in order), then removes them; an entry that fails stays, with the ones after
   * it, for the next replay (and the error is thrown). Concurrent calls share one replay.
   */
  replay(apply: (entry: JournalEntry) => Promise<void>): Promise<void> {
    if (!this.pending) return Promise.resolve();
    this.replaying ??= this.replayOnce(apply).finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  private async replayOnce(apply: (entry: JournalEntry) => Promise<void>): Promise<void> {
    const taken = `${this.path}.replaying`;
    // Entries appended while replaying go to a fresh file; a replay cut short by a crash is resumed from `taken`.
    if (existsSync(this.path)) {
      if (existsSync(taken)) {
        const fd = openSync(taken, "a", 0o600);
        try {
          writeSync(fd, readFileSync(this.path, "utf8"));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        rmSync(this.path);
      } else renameSync(this.path, taken);
    }
    if (!existsSync(taken)) {
      this.pending = false;
      return;
    }
    const lines = readFileSync(taken, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "");
    for (const [i, line] of lines.entries()) {
      let entry: JournalEntry;
      try {
        entry = JSON.parse(line) as JournalEntry;
      } catch {
        continue; // a line cut short by a crash mid-append was never acknowledged
      }
      try {
        await apply(entry);
      } catch (error) {
        const rest = lines.slice(i + 1);
        const fd = openSync(taken, "w", 0o600);
        try {
          writeSync(fd, [line, ...rest].map((l) => `${l}\n`).join(""));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        throw error;
      }
    }
    rmSync(taken);
    this.pending = existsSync(this.path);
  }
}
