import { chmodSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { TrafficLine } from "../../src/traces/schema.js";
import {
  DEFAULT_TRACE_MAX_BYTES,
  DEFAULT_TRACE_MAX_FILES,
  TraceWriter,
  traceFileFor,
} from "../../src/traces/writer.js";
import { tempDirs } from "../helpers/temp_dirs.js";

// Trace files' names, modes and retention, without changing the umask (Stryker runs tests in worker threads, where
// process.umask cannot be set: writer_files.test.ts covers the umask cases). Edges found by mutation testing.

const scratch = tempDirs("pyramid-writer-units-", "each");

const line = (n: number): TrafficLine => ({
  type: "feedback",
  id: `q_${String(n).padStart(6, "0")}`,
  time: new Date(0).toISOString(),
  correct: true,
});

describe("trace file names", () => {
  it("a worker writes <stem>.<worker><ext> beside the named file; without one, the file itself", () => {
    expect(traceFileFor("/t/traffic.jsonl", "w2")).toBe("/t/traffic.w2.jsonl");
    expect(traceFileFor("/t/traffic", "w2")).toBe("/t/traffic.w2");
    expect(traceFileFor("rel/traffic.jsonl")).toBe(resolve("rel/traffic.jsonl"));
    const root = scratch();
    expect(new TraceWriter({ path: join(root, "t.jsonl"), worker: "w1" }).file).toBe(join(root, "t.w1.jsonl"));
  });

  it("defaults: 64 MiB per file, 10 rotated files", () => {
    expect(DEFAULT_TRACE_MAX_BYTES).toBe(64 * 1024 * 1024);
    expect(DEFAULT_TRACE_MAX_FILES).toBe(10);
  });

  it("a rotated file is named <stem>.<UTC time>-<pid>-<n><ext>, counting this writer's rotations", () => {
    const root = scratch();
    const writer = new TraceWriter({ path: join(root, "traffic.jsonl"), maxBytes: 10 });
    for (let n = 0; n < 3; n++) writer.append(line(n));
    writer.close();
    const rotated = readdirSync(root)
      .filter((name) => name !== "traffic.jsonl")
      .sort();
    expect(rotated).toHaveLength(2);
    rotated.forEach((name, i) => {
      expect(name).toMatch(new RegExp(`^traffic\\.\\d{8}T\\d{6}-${process.pid}-${i + 1}\\.jsonl$`));
    });
  });
});

describe("trace file modes", () => {
  it("tightens an existing world-readable trace file to 0600, and creates new files 0600", () => {
    const root = scratch();
    const path = join(root, "traffic.jsonl");
    writeFileSync(path, "");
    chmodSync(path, 0o644);
    new TraceWriter({ path }).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const fresh = join(root, "new", "traffic.jsonl");
    const writer = new TraceWriter({ path: fresh, maxBytes: 10 });
    writer.append(line(1));
    writer.append(line(2));
    writer.close();
    for (const name of readdirSync(join(root, "new")))
      expect(statSync(join(root, "new", name)).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, "new")).mode & 0o777).toBe(0o700);
  });
});

describe("trace file retention", () => {
  it("keeps only the newest maxFiles rotated files", () => {
    const root = scratch();
    const writer = new TraceWriter({ path: join(root, "traffic.jsonl"), maxBytes: 10, maxFiles: 3 });
    for (let n = 0; n < 12; n++) writer.append(line(n));
    writer.close();
    const rotated = readdirSync(root).filter((name) => name !== "traffic.jsonl");
    const ids = rotated.map((name) => (JSON.parse(readFileSync(join(root, name), "utf8")) as { id: string }).id).sort();
    expect(ids).toEqual(["q_000008", "q_000009", "q_000010"]);
    expect(JSON.parse(readFileSync(join(root, "traffic.jsonl"), "utf8")).id).toBe("q_000011");
  });

  it("maxFiles 0 keeps no rotated file", () => {
    const root = scratch();
    const writer = new TraceWriter({ path: join(root, "traffic.jsonl"), maxBytes: 10, maxFiles: 0 });
    for (let n = 0; n < 4; n++) writer.append(line(n));
    writer.close();
    expect(readdirSync(root)).toEqual(["traffic.jsonl"]);
  });

  it("among rotated files of the same age, keeps the later time stamp, then the higher count", () => {
    const root = scratch();
    const old = new Date("2026-01-05T00:00:00Z");
    const names = [
      "traffic.20260101T000000-7-1.jsonl",
      "traffic.20260101T000000-7-2.jsonl",
      "traffic.20260102T000000-7-1.jsonl",
      "traffic.20251231T000000-7-9.jsonl",
    ];
    for (const name of names) {
      writeFileSync(join(root, name), "{}\n");
      utimesSync(join(root, name), old, old);
    }
    const writer = new TraceWriter({ path: join(root, "traffic.jsonl"), maxBytes: 10, maxFiles: 3 });
    writer.append(line(1));
    writer.append(line(2)); // rotates: the new rotated file is the newest of all
    writer.close();
    const kept = readdirSync(root).filter((name) => names.includes(name));
    expect(kept.sort()).toEqual(["traffic.20260101T000000-7-2.jsonl", "traffic.20260102T000000-7-1.jsonl"]);
  });

  it("leaves alone every file that is not one of its rotated files", () => {
    const root = scratch();
    const others = [
      "traffic.w2.jsonl",
      "traffic.backup.jsonl",
      "traffic.x20260101T000000-1-1.jsonl",
      "traffic.20260101T000000-1-1x.jsonl",
      "traffic.20260101T000000-1-1.txt",
      "other.20260101T000000-1-1.jsonl",
    ];
    for (const name of others) writeFileSync(join(root, name), "");
    const writer = new TraceWriter({ path: join(root, "traffic.jsonl"), maxBytes: 10, maxFiles: 0 });
    for (let n = 0; n < 3; n++) writer.append(line(n));
    writer.close();
    expect(readdirSync(root).sort()).toEqual([...others, "traffic.jsonl"].sort());
  });
});

describe("appending", () => {
  it("close is idempotent and a later append reopens the file", () => {
    const root = scratch();
    const path = join(root, "traffic.jsonl");
    const writer = new TraceWriter({ path });
    writer.append(line(1));
    writer.close();
    writer.close();
    writer.append(line(2));
    writer.close();
    expect(readFileSync(path, "utf8").trim().split("\n")).toHaveLength(2);
  });

  it("a line that fits exactly in what is left does not rotate", () => {
    const root = scratch();
    const path = join(root, "traffic.jsonl");
    const size = Buffer.byteLength(`${JSON.stringify(line(1))}\n`);
    const writer = new TraceWriter({ path, maxBytes: 2 * size });
    writer.append(line(1));
    writer.append(line(2));
    expect(readdirSync(root)).toEqual(["traffic.jsonl"]);
    writer.append(line(3));
    writer.close();
    expect(readdirSync(root)).toHaveLength(2);
  });
});
