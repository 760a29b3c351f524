import { describe, expect, it } from "vitest";
import { existsSync, readlinkSync } from "node:fs";
import { runPython, SandboxPool } from "../../src/sandbox/index.js";
import { alive, processTable } from "./processes.js";

/** Child processes of this process whose command is python (zombies left out). */
function pythonChildren(): number[] {
  return [...processTable()]
    .filter(([, info]) => info.ppid === process.pid && info.comm.startsWith("python") && info.state !== "Z")
    .map(([pid]) => pid);
}

async function waitFor<T>(probe: () => T | undefined, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error("condition not reached");
    await new Promise((r) => setTimeout(r, 25));
  }
}

const SLEEP = "import time\ntime.sleep(60)\n";

describe("sandbox cancellation", () => {
  it("runPython: aborting kills the process, removes the temp dir and rejects with the abort", async () => {
    const controller = new AbortController();
    const run = runPython(SLEEP, {
      isolation: "none",
      unsafeAllowUnsandboxedCode: true,
      wallTimeMs: 60_000,
      signal: controller.signal,
    });
    run.catch(() => undefined);
    const pid = await waitFor(() => pythonChildren()[0], 10_000);
    const dir = readlinkSync(`/proc/${pid}/cwd`);
    expect(dir).toMatch(/pyramid-sandbox-/);
    controller.abort();
    await expect(run).rejects.toThrow(/abort/i);
    expect(alive(pid)).toBe(false);
    expect(existsSync(dir)).toBe(false);
  });

  it("runPython: an already aborted signal rejects without running anything", async () => {
    const before = pythonChildren().length;
    await expect(runPython("print(1)", { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    expect(pythonChildren().length).toBe(before);
  });

  it("SandboxPool.run: aborting a queued job removes it from the queue; aborting a running one kills it", async () => {
    const pool = new SandboxPool({
      concurrency: 1,
      defaults: { isolation: "none", unsafeAllowUnsandboxedCode: true, wallTimeMs: 60_000 },
    });
    const first = new AbortController();
    const queued = new AbortController();
    const running = pool.run(SLEEP, { signal: first.signal });
    running.catch(() => undefined);
    const pid = await waitFor(() => pythonChildren()[0], 10_000);
    const waiting = pool.run(SLEEP, { signal: queued.signal });
    waiting.catch(() => undefined);
    queued.abort();
    await expect(waiting).rejects.toThrow(/abort/i);
    expect(alive(pid)).toBe(true);
    first.abort();
    await expect(running).rejects.toThrow(/abort/i);
    expect(alive(pid)).toBe(false);
    // The aborted queued job never runs: the next job gets the slot right away and runs alone.
    const next = await pool.run("print(3)");
    expect(next.completed).toBe(true);
    expect(next.stdout).toBe("3\n");
    expect(pythonChildren()).toEqual([]);
  });
});
