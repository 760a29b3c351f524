import { readFileSync, appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runEvaluation } from "../../../src/eval/run/run_eval.js";
import { splitHoldout } from "../../../src/eval/run/split.js";
import { libXGBoostAvailable } from "../../../src/router/train/libxgboost.js";
import { PyramidConfigError } from "../../../src/index.js";
import { missing } from "../../helpers/requires.js";
import { tempDirs } from "../../helpers/temp_dirs.js";

const tmp = tempDirs("pyramid-eval-");

describe("runEvaluation on the recorded GSM8K outputs", () => {
  it("runs the real pyramid over replayed models and writes one graded trace per query", async () => {
    const outDir = tmp();
    const run = await runEvaluation({ benchmark: "gsm8k", outDir, limit: 60 });
    expect(run.traces).toHaveLength(60);
    const lines = readFileSync(join(outDir, "traces.jsonl"), "utf8").trim().split("\n");
    expect(lines).toHaveLength(60);
    for (const trace of run.traces) {
      expect(trace.candidates.map((c) => c.model)).toEqual([
        "Meta-Llama-3.1-8B-Instruct",
        "gemma-2-9b-it",
        "Qwen2-7B-Instruct",
      ]);
      expect(trace.escalated).toBe(trace.pFail > trace.threshold);
      expect(trace.correct).toBe(trace.escalated ? trace.oracleCorrect : trace.crowdCorrect);
      expect(trace.cost.total).toBeCloseTo(trace.cost.crowd + (trace.escalated ? trace.cost.oracle : 0), 12);
      expect(trace.featureNames).toContain("vote_share");
    }
    // The agreement router escalates exactly the queries where fewer than half the crowd agree.
    const escalated = run.traces.filter((t) => t.escalated).length;
    expect(escalated).toBeGreaterThan(0);
    expect(escalated).toBeLessThan(60);
  });

  it("resumes an interrupted run without lost or duplicated lines", async () => {
    const outDir = tmp();
    await runEvaluation({ benchmark: "gsm8k", outDir, limit: 30 });
    const file = join(outDir, "traces.jsonl");
    const full = readFileSync(file, "utf8").trim().split("\n");
    // Simulate a kill mid-write: keep 12 whole lines and a torn 13th.
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, `${full.slice(0, 12).join("\n")}\n`);
    appendFileSync(file, full[12].slice(0, 40));
    const resumed = await runEvaluation({ benchmark: "gsm8k", outDir, limit: 30 });
    const after = readFileSync(file, "utf8").trim().split("\n");
    expect(after).toHaveLength(30);
    expect(new Set(after.map((l) => JSON.parse(l).id)).size).toBe(30);
    expect(resumed.traces.map((t) => t.id).sort()).toEqual(full.map((l) => JSON.parse(l).id).sort());
    // The 12 lines kept are untouched, byte for byte.
    expect(after.slice(0, 12)).toEqual(full.slice(0, 12));
  });

  it.skipIf(missing(libXGBoostAvailable(), "libxgboost"))(
    "retrains the router when resuming, and re-evaluates the holdout part when the router changed",
    async () => {
      const outDir = tmp();
      const first = await runEvaluation({ benchmark: "gsm8k", outDir, limit: 200, train: true });
      const routerPath = join(outDir, "router.json");
      const routerText = readFileSync(routerPath, "utf8");
      // Same settings, same traces: the same router, and the holdout traces are kept byte for byte.
      const holdout = readFileSync(join(outDir, "traces.jsonl"), "utf8");
      await runEvaluation({ benchmark: "gsm8k", outDir, limit: 200, train: true });
      expect(readFileSync(routerPath, "utf8")).toBe(routerText);
      expect(readFileSync(join(outDir, "traces.jsonl"), "utf8")).toBe(holdout);
      // A stale router in the folder (another training run's) is replaced, and the holdout traces are recomputed with the new one.
      const stale = JSON.parse(routerText) as { presets: Record<string, number> };
      writeFileSync(routerPath, JSON.stringify({ ...stale, presets: { ...stale.presets, "baseline-match": 0.999 } }));
      const tampered = holdout.replace(/"threshold":[0-9.e-]+/g, '"threshold":0.999');
      writeFileSync(join(outDir, "traces.jsonl"), tampered);
      const again = await runEvaluation({ benchmark: "gsm8k", outDir, limit: 200, train: true });
      expect(readFileSync(routerPath, "utf8")).toBe(routerText);
      expect(readFileSync(join(outDir, "traces.jsonl"), "utf8")).toBe(holdout);
      expect(again.traces.map((t) => t.threshold)).toEqual(first.traces.map((t) => t.threshold));
    },
  );

  it("refuses to mix runs with different settings in one folder", async () => {
    const outDir = tmp();
    await runEvaluation({ benchmark: "gsm8k", outDir, limit: 5 });
    await expect(runEvaluation({ benchmark: "gsm8k", outDir, limit: 6 })).rejects.toThrow(PyramidConfigError);
  });

  it("names an unknown model and lists the recorded ones", async () => {
    await expect(runEvaluation({ benchmark: "gsm8k", outDir: tmp(), oracle: "gpt-99" })).rejects.toThrow(
      /--oracle.*gpt-99.*Meta-Llama/s,
    );
  });
});

describe("splitHoldout", () => {
  it("is deterministic for a seed and keeps the requested fraction", () => {
    const ids = Array.from({ length: 100 }, (_, i) => `id${i}`);
    const a = splitHoldout(ids, 0.3, 1);
    expect(a.holdout).toHaveLength(30);
    expect(a.train).toHaveLength(70);
    expect(splitHoldout(ids, 0.3, 1)).toEqual(a);
    expect(splitHoldout(ids, 0.3, 2).holdout).not.toEqual(a.holdout);
  });
});
