import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_TRACE_MAX_FILES, TraceWriter } from "../../src/traces/writer.js";
import type { TrafficLine } from "../../src/traces/schema.js";
import { tempDirs } from "../helpers/temp_dirs.js";

const scratch = tempDirs("pyramid-trace-files-", "each");

function feedbackLine(n: number): TrafficLine {
  return { type: "feedback", id: `q_${String(n).padStart(6, "0")}`, time: new Date(0).toISOString(), correct: true };
}

function withUmask<T>(mask: number, run: () => T): T {
  const old = process.umask(mask);
  try {
    return run();
  } finally {
    process.umask(old);
  }
}

// An existing world-readable file tightened to 0600: writer_units.test.ts ("trace file modes").

describe("trace files: modes and retention", () => {
  it("creates the file 0600 and its new folders 0700 whatever the umask", () => {
    for (const mask of [0o000, 0o022]) {
      const root = scratch();
      const path = join(root, "a", "b", "traffic.jsonl");
      const writer = withUmask(mask, () => new TraceWriter({ path }));
      writer.append(feedbackLine(1));
      writer.close();
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(join(root, "a")).mode & 0o777).toBe(0o700);
      expect(statSync(join(root, "a", "b")).mode & 0o777).toBe(0o700);
    }
  });

  it("keeps only the newest maxFiles rotated files, each 0600", () => {
    const root = scratch();
    const path = join(root, "traffic.jsonl");
    // One line per file: every append past the first rotates.
    const writer = withUmask(0o000, () => new TraceWriter({ path, maxBytes: 10, maxFiles: 3 }));
    for (let n = 0; n < 12; n++) writer.append(feedbackLine(n));
    writer.close();
    const rotated = readdirSync(root).filter((name) => name !== "traffic.jsonl");
    expect(rotated).toHaveLength(3);
    for (const name of [...rotated, "traffic.jsonl"]) expect(statSync(join(root, name)).mode & 0o777).toBe(0o600);
    // The kept ones are the newest: lines 8, 9 and 10 (11 is in the live file).
    const kept = rotated.map((name) => statSync(join(root, name)).size);
    expect(kept.every((size) => size > 0)).toBe(true);
    const ids = rotated.map((name) => (JSON.parse(readFileSync(join(root, name), "utf8")) as { id: string }).id).sort();
    expect(ids).toEqual(["q_000008", "q_000009", "q_000010"]);
  });

  it("keeps 10 rotated files by default and leaves other writers' files alone", () => {
    expect(DEFAULT_TRACE_MAX_FILES).toBe(10);
    const root = scratch();
    const path = join(root, "traffic.jsonl");
    const other = new TraceWriter({ path, worker: "w2", maxBytes: 10, maxFiles: 1 });
    const writer = new TraceWriter({ path, maxBytes: 10 });
    for (let n = 0; n < 15; n++) {
      writer.append(feedbackLine(n));
      other.append(feedbackLine(n));
    }
    writer.close();
    other.close();
    const names = readdirSync(root);
    const mine = names.filter((name) => /^traffic\.\d{8}T/.test(name));
    const theirs = names.filter((name) => /^traffic\.w2\.\d{8}T/.test(name));
    expect(mine).toHaveLength(10);
    expect(theirs).toHaveLength(1);
    expect(names).toContain("traffic.jsonl");
    expect(names).toContain("traffic.w2.jsonl");
  });
});
