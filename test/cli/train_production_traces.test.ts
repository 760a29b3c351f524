import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { queryTraceLineSchema } from "../../src/traces/index.js";
import { runCli } from "./capture.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "pyramid-train-prod-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A production query line, as a pyramid with `traces` writes it (validated by the trace schema itself). */
function queryLine(id: string): string {
  const line = queryTraceLineSchema.parse({
    type: "query",
    id,
    time: "2026-12-07T12:00:00.000Z",
    featureNames: ["vote_share"],
    features: [0.67],
    candidates: [{ model: "small", tier: 0, answer: "4", costUsd: 0, latencyMs: 10 }],
    crowdAnswer: "4",
    apexAnswer: null,
    pFail: 0.33,
    threshold: 0.5,
    escalated: false,
    reachedApex: false,
    tier: 0,
    decisions: [{ tier: 0, pFail: 0.33, threshold: 0.5, escalated: false }],
    finalAnswer: "4",
    cost: { crowd: 0, oracle: 0, total: 0, oracleOnly: 0.001 },
    latencyMs: 12,
    shadowScheduled: false,
    shadowRate: 0,
    task: "math",
  });
  return JSON.stringify(line);
}

describe("pyramid-moa train on production traces", () => {
  it("without --labels names --labels (not 'not a trace line')", async () => {
    const traces = join(dir, "traffic.jsonl");
    writeFileSync(traces, `${queryLine("q1")}\n${queryLine("q2")}\n`);
    const out = join(dir, "router.json");
    const result = await runCli(["train", "--traces", traces, "--out", out]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`--labels: ${traces} holds production traces`);
    expect(result.stderr).toContain(
      `Fix: train on them with a label source: pyramid-moa train --traces ${traces} --labels auto`,
    );
    expect(result.stderr).not.toContain("not a trace line");
    expect(existsSync(out)).toBe(false);
  });
});
