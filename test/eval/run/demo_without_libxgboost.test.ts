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
      ["--import", "tsx", "src/cli/bin.ts", "eval", "--benchmark", "gsm8k", "--train", "--no-png", "--out", outDir],
      { env: { ...process.env, PYRAMID_LIBXGBOOST: "/nonexistent/libxgboost.so.0" }, maxBuffer: 16 * 1024 * 1024 },
    );
    expect(stderr).toMatch(/libxgboost is not installed, so the router is not retrained/);
    expect(readFileSync(join(outDir, "router.json"), "utf8")).toBe(
      readFileSync("routers/gsm8k-llama8b-gemma9b-qwen7b.json", "utf8"),
    );
    expect(stdout).toMatch(/gsm8k holdout: 284 queries/);
    expect(stdout).toMatch(/Oracle alone/);
    const summary = JSON.parse(readFileSync(join(outDir, "summary.json"), "utf8")) as { queries: number };
    expect(summary.queries).toBe(284);
  });
});
