import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evalCommand } from "../../src/cli/commands/eval.js";
import { PyramidConfigError } from "../../src/errors/index.js";
import { evalTraceLineSchema } from "../../src/core/trace_schema.js";

describe("pyramid-moa eval (real pyramid over recorded GSM8K outputs)", () => {
  it("writes traces, profile, frontier, Theorem 1 and summary files", async () => {
    const out = mkdtempSync(join(tmpdir(), "pyramid-eval-"));
    const logs: string[] = [];
    const log = console.log;
    console.log = (...args: unknown[]) => logs.push(args.join(" "));
    let code: number;
    try {
      code = await evalCommand.run(["--benchmark", "gsm8k", "--out", out, "--limit", "40", "--threshold", "0.4"]);
    } finally {
      console.log = log;
    }
    expect(code).toBe(0);
    for (const f of [
      "traces.jsonl",
      "profile.csv",
      "profile.svg",
      "profile.png",
      "frontier.svg",
      "frontier.png",
      "theorem1.md",
      "summary.md",
      "summary.json",
    ]) {
      expect(existsSync(join(out, f)), f).toBe(true);
    }
    const traces = readFileSync(join(out, "traces.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => evalTraceLineSchema.parse(JSON.parse(l)));
    expect(traces).toHaveLength(40);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      queries: number;
      threshold: number;
      pyramid: { accuracy: number; escalationRate: number };
      baselines: { name: string; accuracy: number }[];
    };
    expect(summary.queries).toBe(40);
    expect(summary.threshold).toBe(0.4);
    const escalated = traces.filter((t) => t.escalated).length;
    expect(summary.pyramid.escalationRate).toBeCloseTo(escalated / 40);
    const correct = traces.filter((t) => t.correct).length;
    expect(summary.pyramid.accuracy).toBeCloseTo(correct / 40);
    const oracle = summary.baselines.find((b) => b.name === "Oracle alone")!;
    expect(oracle.accuracy).toBeCloseTo(traces.filter((t) => t.oracleCorrect).length / 40);
    expect(readFileSync(join(out, "profile.csv"), "utf8").trim().split("\n")).toHaveLength(20);
    expect(readFileSync(join(out, "theorem1.md"), "utf8")).toContain("| 0.40 **(chosen)** |");
    expect(readFileSync(join(out, "frontier.svg"), "utf8")).toContain('data-name="escalate unless unanimous"');
    const png = readFileSync(join(out, "profile.png"));
    expect(png.readUInt32BE(16)).toBe(900);
    expect(logs.join("\n")).toContain("Oracle alone");
  });

  it("rejects bad flags with the flag named", async () => {
    await expect(evalCommand.run(["--out", "/tmp/x"])).rejects.toThrow(PyramidConfigError);
    await expect(evalCommand.run(["--benchmark", "gsm8k", "--out", "/tmp/x", "--threshold", "2"])).rejects.toThrow(
      /--threshold/,
    );
    await expect(
      evalCommand.run(["--benchmark", "gsm8k", "--out", "/tmp/x", "--train", "--router", "r.json"]),
    ).rejects.toThrow(/--router/);
  });
});
