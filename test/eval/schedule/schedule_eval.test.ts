import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { ScheduleRuleScore } from "../../../src/eval/schedule/report.js";
import { tempDirs } from "../../helpers/temp_dirs.js";
import { runEval } from "../eval_cli.js";

interface ScheduleJson {
  readonly schedule: string;
  readonly scores: ScheduleRuleScore[];
}

function scoresOf(out: string): ScheduleRuleScore[] {
  return (JSON.parse(readFileSync(join(out, "schedule.json"), "utf8")) as ScheduleJson).scores;
}

function row(scores: readonly ScheduleRuleScore[], rule: string, schedule: string): ScheduleRuleScore {
  const found = scores.find((s) => s.rule === rule && s.schedule === schedule);
  if (!found)
    throw new Error(`no row ${rule} / ${schedule} in ${scores.map((s) => `${s.rule}/${s.schedule}`).join(", ")}`);
  return found;
}

const LIMIT = "150";
const tmp = tempDirs("pyramid-schedule-");

describe("pyramid-moa eval --schedule (recorded GSM8K outputs, latency model)", () => {
  it("anytime: same answers as parallel for the agreement rules, lower latency, cancelled members charged in part", async () => {
    const out = tmp();
    const result = await runEval({ benchmark: "gsm8k", out, limit: LIMIT, "no-png": true, schedule: "anytime" });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("crowd schedules");
    const scores = scoresOf(out);
    const summary = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      pyramid: { name: string; accuracy: number; costSaving: number; escalationRate: number };
    };
    // The parallel replay of the evaluated rule is the evaluation itself: same accuracy, escalation and saving.
    const parallel = row(scores, summary.pyramid.name, "parallel");
    expect(parallel.accuracy).toBeCloseTo(summary.pyramid.accuracy, 12);
    expect(parallel.escalationRate).toBeCloseTo(summary.pyramid.escalationRate, 12);
    expect(parallel.costSaving).toBeCloseTo(summary.pyramid.costSaving, 9);
    for (const rule of [summary.pyramid.name, "crowd majority", "escalate unless a majority agrees"]) {
      const p = row(scores, rule, "parallel");
      const a = row(scores, rule, "anytime");
      expect(a.differingFromParallel, rule).toBe(0);
      expect(a.accuracy).toBe(p.accuracy);
      expect(a.meanMs).toBeLessThan(p.meanMs);
      expect(a.p50Ms).toBeLessThanOrEqual(p.p50Ms);
      expect(a.membersCancelled).toBeGreaterThan(0);
      // Every member starts under anytime; a cancelled one costs its input and what it streamed, less than a full call.
      expect(a.membersCalled).toBe(3);
      expect(a.costSaving).toBeGreaterThan(p.costSaving);
    }
    // Unanimity needs every answer: anytime waits for all, exactly parallel.
    const unanimous = row(scores, "escalate unless unanimous", "anytime");
    expect(unanimous.membersCancelled).toBe(0);
    expect(unanimous.meanMs).toBe(row(scores, "escalate unless unanimous", "parallel").meanMs);
    expect(readFileSync(join(out, "schedule.md"), "utf8")).toContain("| pyramid (t=0.50) | anytime |");
  });

  it("waves: fewer members called, a larger saving, the same answers; a latency model file sets every call's time", async () => {
    const out = tmp();
    const model = join(out, "latency.json");
    // Every call takes 500 ms whatever its length: a crowd decides at 500 ms per wave, an escalation adds 500 ms.
    writeFileSync(model, JSON.stringify({ default: { ttftMs: 500, tokensPerSecond: 1e12 } }));
    const result = await runEval({
      benchmark: "gsm8k",
      out,
      limit: LIMIT,
      "no-png": true,
      schedule: "waves",
      "latency-model": model,
    });
    expect(result.code, result.stderr).toBe(0);
    const scores = scoresOf(out);
    const p = row(scores, "pyramid (t=0.50)", "parallel");
    const w = row(scores, "pyramid (t=0.50)", "waves");
    expect(w.differingFromParallel).toBe(0);
    expect(w.accuracy).toBe(p.accuracy);
    expect(w.membersCalled).toBeLessThan(3);
    expect(w.membersCalled).toBeGreaterThanOrEqual(2);
    expect(w.costSaving).toBeGreaterThan(p.costSaving);
    expect(row(scores, "Oracle alone", "parallel").p50Ms).toBeCloseTo(500, 3);
    expect(p.crowdP50Ms).toBeCloseTo(500, 3);
    expect(p.p95Ms).toBeCloseTo(1000, 3);
    // A second wave costs a second round trip.
    expect(w.crowdP95Ms).toBeCloseTo(1000, 3);
  });

  it("refuses an unknown schedule and a bad latency model, naming the flag", async () => {
    const out = tmp();
    const bad = await runEval({ benchmark: "gsm8k", out, limit: "5", schedule: "sometimes" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--schedule");
    const model = join(out, "latency.json");
    writeFileSync(model, JSON.stringify({ models: { x: { ttftMs: 100, tokensPerSecond: 0 } } }));
    const badModel = await runEval({
      benchmark: "gsm8k",
      out,
      limit: "5",
      schedule: "anytime",
      "latency-model": model,
    });
    expect(badModel.code).toBe(1);
    expect(badModel.stderr).toContain("--latency-model models.x.tokensPerSecond");
    const alone = await runEval({ benchmark: "gsm8k", out, limit: "5", "latency-model": model });
    expect(alone.code).toBe(1);
    expect(alone.stderr).toContain("--latency-model without --schedule");
  });
});
