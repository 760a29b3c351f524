import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { TrafficLine } from "../../src/traces/schema.js";
import { TraceWriter } from "../../src/traces/writer.js";

const dir = mkdtempSync(join(tmpdir(), "pyramid-rotation-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A shadow line whose JSON has the same length for every `i` < 10. */
const line = (i: number): TrafficLine => ({
  type: "shadow",
  id: `q_${i}`,
  time: "2026-12-01T10:00:00.000Z",
  apexAnswer: "2",
  agrees: true,
  costUsd: 0.01,
  latencyMs: 3,
});
const LINE_BYTES = Buffer.byteLength(`${JSON.stringify(line(0))}\n`);

function linesIn(folder: string): Map<string, string[]> {
  const result = new Map<string, string[]>();
  for (const f of readdirSync(folder).sort())
    result.set(f, readFileSync(join(folder, f), "utf8").trim().split("\n").filter(Boolean));
  return result;
}

describe("TraceWriter rotation edges (guards against rotating early or losing the size of an existing file)", () => {
  it("does not rotate while the file fits maxBytes exactly; rotates on the line that would pass it", () => {
    const folder = join(dir, "exact");
    const writer = new TraceWriter({ path: join(folder, "t.jsonl"), maxBytes: 2 * LINE_BYTES });
    writer.append(line(0));
    writer.append(line(1)); // the file is now exactly maxBytes: still one file
    expect([...linesIn(folder).keys()]).toEqual(["t.jsonl"]);
    writer.append(line(2)); // 3 lines would pass maxBytes: the 2 first go to a rotated file
    writer.close();
    const files = linesIn(folder);
    expect(files.size).toBe(2);
    expect(files.get("t.jsonl")).toEqual([JSON.stringify(line(2))]);
    const rotated = [...files.entries()].find(([name]) => name !== "t.jsonl");
    expect(rotated?.[0]).toMatch(/^t\.\d{8}T\d{6}-\d+-1\.jsonl$/);
    expect(rotated?.[1]).toEqual([JSON.stringify(line(0)), JSON.stringify(line(1))]);
  });

  it("a line larger than maxBytes goes into an empty file without leaving an empty rotated file", () => {
    const folder = join(dir, "large");
    const writer = new TraceWriter({ path: join(folder, "t.jsonl"), maxBytes: 10 });
    writer.append(line(0));
    writer.close();
    expect([...linesIn(folder).keys()]).toEqual(["t.jsonl"]);
  });

  it("counts the bytes of a file that existed before it was opened (a restarted server rotates a full file)", () => {
    const folder = join(dir, "reopen");
    const file = join(folder, "t.jsonl");
    new TraceWriter({ path: file }).close(); // creates the folder
    writeFileSync(file, `${JSON.stringify(line(0))}\n${JSON.stringify(line(1))}\n`);
    const writer = new TraceWriter({ path: file, maxBytes: 2 * LINE_BYTES + 1 });
    writer.append(line(2)); // the existing 2 lines + 1 would pass maxBytes
    writer.close();
    const files = linesIn(folder);
    expect(files.size).toBe(2);
    expect(files.get("t.jsonl")).toEqual([JSON.stringify(line(2))]);
  });

  it("keeps counting after close: a later append reopens the file with its size", () => {
    const folder = join(dir, "close");
    const writer = new TraceWriter({ path: join(folder, "t.jsonl"), maxBytes: 2 * LINE_BYTES });
    writer.append(line(0));
    writer.close();
    writer.append(line(1));
    writer.close();
    expect(linesIn(folder).size).toBe(1);
    writer.append(line(2));
    writer.close();
    expect(linesIn(folder).size).toBe(2);
  });
});
