import { describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SandboxPool, workingBwrap } from "../../src/sandbox/index.js";
import { missing } from "../helpers/requires.js";
import { alive, processTable } from "./processes.js";

const isRoot = process.getuid?.() === 0;
const bwrapWorks = workingBwrap(isRoot ? 65534 : null) !== null;
const sandboxModule = resolve("src/sandbox/index.ts");

function descendants(root: number): number[] {
  const table = processTable();
  const found: number[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const [pid, info] of table) {
      if (info.ppid === parent) {
        found.push(pid);
        queue.push(pid);
      }
    }
  }
  return found;
}

async function waitFor(check: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/** Starts a Node process running a sandboxed `time.sleep(60)`, SIGKILLs it, and returns the sandbox processes still alive after a few seconds. */
async function survivorsAfterParentKill(isolation: "none" | "bwrap"): Promise<number[]> {
  const script =
    `import { runPython } from ${JSON.stringify(sandboxModule)};\n` +
    `await runPython("import time\\nprint('sleeping', flush=True)\\ntime.sleep(60)\\n", { isolation: ${JSON.stringify(isolation)}, unsafeAllowUnsandboxedCode: true, wallTimeMs: 120000, cpuTimeSec: 60 });\n`;
  const node = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: "ignore" });
  const nodePid = node.pid as number;
  let sandboxPids: number[] = [];
  // Wait until python runs (and a little longer, so that it is past its prelude and asleep).
  const started = await waitFor(() => {
    sandboxPids = descendants(nodePid);
    return sandboxPids.some((pid) => processTable().get(pid)?.comm.startsWith("python"));
  }, 20_000);
  expect(started).toBe(true);
  await new Promise((r) => setTimeout(r, 500));
  sandboxPids = descendants(nodePid);
  node.kill("SIGKILL");
  await waitFor(() => sandboxPids.every((pid) => !alive(pid)), 5_000);
  const survivors = sandboxPids.filter(alive);
  for (const pid of survivors) process.kill(pid, "SIGKILL");
  return survivors;
}

describe("sandbox processes do not outlive their parent", () => {
  it("without bubblewrap, python dies when the Node parent is SIGKILLed", async () => {
    expect(await survivorsAfterParentKill("none")).toEqual([]);
  });

  it.skipIf(missing(bwrapWorks, "a working bubblewrap (bwrap)"))(
    "with bubblewrap, the whole sandbox dies when the Node parent is SIGKILLed",
    async () => {
      expect(await survivorsAfterParentKill("bwrap")).toEqual([]);
    },
  );

  it("a new SandboxPool sweeps stale sandbox temp dirs, and only those", () => {
    const stale = join(tmpdir(), `pyramid-sandbox-stale-${process.pid}`);
    const fresh = join(tmpdir(), `pyramid-sandbox-fresh-${process.pid}`);
    const other = join(tmpdir(), `pyramid-unrelated-${process.pid}`);
    for (const dir of [stale, fresh, other]) {
      mkdirSync(join(dir, "sub"), { recursive: true });
    }
    const old = new Date(Date.now() - 2 * 3600_000);
    utimesSync(stale, old, old);
    utimesSync(other, old, old);
    try {
      new SandboxPool({ concurrency: 1 });
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(fresh)).toBe(true);
      expect(existsSync(other)).toBe(true);
    } finally {
      for (const dir of [stale, fresh, other]) rmSync(dir, { recursive: true, force: true });
    }
  });
});
