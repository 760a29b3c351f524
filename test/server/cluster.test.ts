import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runServerCluster } from "../../src/server/cluster_primary.js";

const dir = mkdtempSync(join(tmpdir(), "pyramid-cluster-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A worker script: listens on a free port, then exits with `code` once it is listening. */
function crashingWorker(code: number): string {
  const file = join(dir, `crash_${code}.mjs`);
  writeFileSync(
    file,
    `import { createServer } from "node:http";
const server = createServer((req, res) => res.end("ok"));
server.listen(0, "127.0.0.1", () => setTimeout(() => process.exit(${code}), 20));
`,
  );
  return file;
}

describe("runServerCluster", () => {
  it("restarts a crashing worker with a doubling backoff, then gives up after maxRestarts (exit code 1)", async () => {
    const lines: string[] = [];
    const ready: string[] = [];
    const code = await runServerCluster({
      workers: 1,
      exec: crashingWorker(3),
      args: () => [],
      execArgv: [],
      log: (line) => lines.push(line),
      onReady: ({ url }) => ready.push(url),
      restart: { initialDelayMs: 10, maxDelayMs: 1000, maxRestarts: 3, windowMs: 60_000 },
    });
    expect(code).toBe(1);
    expect(ready).toHaveLength(1);
    expect(ready[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const exits = lines.filter((line) => line.includes("exited (code 3)"));
    expect(exits).toHaveLength(4);
    expect(exits.slice(0, 3).map((line) => /restarting it in (\d+) ms/.exec(line)?.[1])).toEqual(["10", "20", "40"]);
    expect(exits[3]).toMatch(/3 restarts within 60 s: giving up$/);
    expect(lines.filter((line) => / listening on http:/.test(line))).toHaveLength(4);
  });

  it("stops at once when a worker of the first generation exits before listening", async () => {
    const file = join(dir, "fail_at_start.mjs");
    writeFileSync(file, "process.exit(2);\n");
    const lines: string[] = [];
    const code = await runServerCluster({
      workers: 2,
      exec: file,
      args: () => [],
      execArgv: [],
      log: (line) => lines.push(line),
    });
    expect(code).toBe(1);
    expect(lines.some((line) => /exited \(code 2\) before it listened: stopping/.test(line))).toBe(true);
    expect(lines.some((line) => line.includes("restarting"))).toBe(false);
  });
});
