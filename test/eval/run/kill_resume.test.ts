import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runEvaluation } from "../../../src/eval/run/run_eval.js";

const outDir = mkdtempSync(join(tmpdir(), "pyramid-kill-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function lines(file: string): string[] {
  return existsSync(file)
    ? readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.length > 0)
    : [];
}

describe("an evaluation killed mid-run", () => {
  it("continues where it stopped, with no lost and no duplicated lines", async () => {
    // MBPP grades by running code, so the run is slow enough to be killed in the middle.
    const args = [
      "tsx",
      "src/cli/bin.ts",
      "eval",
      "--benchmark",
      "mbpp",
      "--limit",
      "30",
      "--concurrency",
      "2",
      "--no-png",
      "--out",
      outDir,
    ];
    const child = spawn("npx", args, { stdio: "ignore", detached: true });
    const traces = join(outDir, "traces.jsonl");
    const deadline = Date.now() + 120_000;
    while (lines(traces).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    process.kill(-(child.pid as number), "SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    const before = lines(traces);
    expect(before.length).toBeGreaterThanOrEqual(4);
    expect(before.length).toBeLessThan(30);

    const run = await runEvaluation({ benchmark: "mbpp", limit: 30, concurrency: 2, outDir });
    const after = lines(traces);
    expect(run.traces).toHaveLength(30);
    expect(after).toHaveLength(30);
    expect(new Set(after.map((line) => (JSON.parse(line) as { id: string }).id)).size).toBe(30);
    // Every whole line written before the kill is kept as it was.
    const whole = before.filter((line) => {
      try {
        JSON.parse(line);
        return true;
      } catch {
        return false;
      }
    });
    expect(after.slice(0, whole.length)).toEqual(whole);
  });
});
