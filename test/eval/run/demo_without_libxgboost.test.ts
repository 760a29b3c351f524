import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const outDir = mkdtempSync(join(tmpdir(), "pyramid-demo-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe("the demo on a machine without libxgboost", () => {
  it("evaluates the holdout part with the shipped router instead of failing", async () => {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [
        "--import",
        "tsx",
        "src/cli/bin.ts",
        "eval",
        "--benchmark",
        "gsm8k",
        "--train",
        "--policy",
        "balanced",
        "--no-png",
        "--out",
        outDir,
      ],
      { env: { ...process.env, PYRAMID_LIBXGBOOST: "/nonexistent/libxgboost.so.0" }, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stderr).toMatch(/libxgboost is not installed, so the router is not retrained/);
    expect(readFileSync(join(outDir, "router.json"), "utf8")).toBe(
      readFileSync("routers/holdout/gsm8k-llama8b-gemma9b-qwen7b.json", "utf8"),
    );
    // The output explains itself: which router, which preset the "pyramid" row uses, how it compares, where things are.
    expect(stdout).toMatch(
      /^Router: libxgboost is not installed, so the router is not retrained; the shipped router, trained the same way on the same training part, is used/m,
    );
    expect(stdout).toContain(
      'gsm8k holdout part: 284 queries; the "pyramid" row uses the router\'s "balanced" preset (t=0.64).',
    );
    expect(stdout).toMatch(/^pyramid \(balanced, t=0\.64\) +\d+\.\d%/m);
    expect(stdout).toMatch(
      /^ {2}Oracle alone +[-+]\d+\.\d points accuracy, \d+\.\d% vs 100\.0% of the Oracle-alone cost$/m,
    );
    // On this holdout the shipped router's balanced decisions are those of the majority rule, and it says so.
    expect(stdout).toContain('here it equals the\n  simple rule "escalate unless a majority agrees"');
    expect(stdout).toContain(
      `Traces: ${join(outDir, "traces.jsonl")} (holdout part), ${join(outDir, "train_traces.jsonl")} (training part`,
    );
    expect(stdout).toContain(`Plots: ${join(outDir, "profile.svg")}`);
    // Two progress lines (one per part) when not on a terminal, not one per 10%.
    expect(stderr.split("\n").filter((line) => / part: /.test(line))).toEqual([
      "train part: 663 queries evaluated",
      "holdout part: 284 queries evaluated",
    ]);
    const summary = JSON.parse(readFileSync(join(outDir, "summary.json"), "utf8")) as { queries: number };
    expect(summary.queries).toBe(284);
  });
});
