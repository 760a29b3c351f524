import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeEvaluationReport, type EvalTraceLine } from "../../src/eval/index.js";

/** A graded trace with the given P_fail and crowd outcome (the Oracle always right). */
function trace(i: number, pFail: number, crowdCorrect: boolean): EvalTraceLine {
  return {
    id: `q/${i}`,
    benchmark: "synthetic",
    featureNames: ["vote_share"],
    features: [crowdCorrect ? 1 : 0.34],
    candidates: [{ model: "m", answer: "1", correct: crowdCorrect, costUsd: 0.001 }],
    crowdAnswer: "1",
    crowdCorrect,
    oracleAnswer: "1",
    oracleCorrect: true,
    pFail,
    threshold: 0.5,
    escalated: pFail > 0.5,
    finalAnswer: "1",
    correct: pFail > 0.5 || crowdCorrect,
    cost: { crowd: 0.001, oracle: 0.01, total: 0.001 + (pFail > 0.5 ? 0.01 : 0), oracleOnly: 0.01 },
  };
}

describe("every eval report has a reliability diagram of P_fail", () => {
  it("writes reliability.svg and a table of predicted vs observed crowd error per bin, with ECE, in summary.md/json", async () => {
    // 40 queries at P_fail 0.05 with 2 crowd errors (observed 5%), 20 at 0.85 with 10 errors (observed 50%).
    const traces = [
      ...Array.from({ length: 40 }, (_, i) => trace(i, 0.05, i >= 2)),
      ...Array.from({ length: 20 }, (_, i) => trace(40 + i, 0.85, i >= 10)),
    ];
    const out = mkdtempSync(join(tmpdir(), "pyramid-reliability-"));
    const { summary, files } = await writeEvaluationReport(traces, { outDir: out, png: false, title: "synthetic" });
    expect(files).toContain(join(out, "reliability.svg"));
    const r = summary.reliability;
    expect(r.count).toBe(60);
    expect(r.bins[0]).toMatchObject({ count: 40, observedRate: 0.05 });
    expect(r.bins[0].meanPredicted).toBeCloseTo(0.05, 12);
    expect(r.bins[8]).toMatchObject({ count: 20, observedRate: 0.5 });
    expect(r.ece).toBeCloseTo((20 / 60) * 0.35, 9);
    const md = readFileSync(join(out, "summary.md"), "utf8");
    expect(md).toContain("## Calibration of P_fail (reliability diagram: `reliability.svg`)");
    expect(md).toContain(
      "| P_fail bin | queries | mean predicted P_fail | observed crowd error rate [90% Wilson] | gap |",
    );
    expect(md).toMatch(/\| 0\.00-0\.10 \| 40 \| 5\.0% \| 5\.0% \[[\d.]+%, [\d.]+%\] \| \+0\.0 pp \|/);
    expect(md).toMatch(/\| 0\.80-0\.90 \| 20 \| 85\.0% \| 50\.0% \[[\d.]+%, [\d.]+%\] \| -35\.0 pp \|/);
    expect(md).toContain("ECE = 0.117");
    const json = JSON.parse(readFileSync(join(out, "summary.json"), "utf8")) as {
      reliability: { ece: number; bins: { count: number; meanPredicted: number | null }[] };
    };
    expect(json.reliability.ece).toBeCloseTo(r.ece, 12);
    expect(json.reliability.bins[5]).toMatchObject({ count: 0, meanPredicted: null });
    const svg = readFileSync(join(out, "reliability.svg"), "utf8");
    expect(svg).toContain('id="diagonal"');
    expect((svg.match(/<circle /g) ?? []).length).toBe(2 + 1); // two bins and the legend marker
    expect(svg).toContain("ECE 0.117, 60 queries");
    expect(existsSync(join(out, "reliability.png"))).toBe(false);
  });
});
