import { describe, expect, it } from "vitest";
import {
  evaluationSummary,
  mcnemarExactP,
  scoreThreshold,
  significance,
  summaryJson,
  summaryMarkdown,
  ORACLE_RULE,
  type GradedQuery,
} from "../../src/eval/index.js";

/** `n` queries; the crowd is right on `crowdRight(i)`, the Oracle on `oracleRight(i)`, pFail = `p(i)`. */
function queries(
  n: number,
  crowdRight: (i: number) => boolean,
  oracleRight: (i: number) => boolean,
  p: (i: number) => number,
): GradedQuery[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `q${i}`,
    pFail: p(i),
    crowdCorrect: crowdRight(i),
    oracleCorrect: oracleRight(i),
    crowdCost: 3,
    oracleCost: 10,
    members: ["a", "b", "c"].map((model) => ({
      model,
      answer: crowdRight(i) ? "right" : `wrong-${model}`,
      correct: crowdRight(i),
      cost: 1,
    })),
  }));
}

describe("mcnemarExactP", () => {
  it("is the exact two-sided binomial tail on the discordant pairs", () => {
    expect(mcnemarExactP(0, 0)).toBe(1);
    expect(mcnemarExactP(0, 5)).toBeCloseTo(2 / 32, 12);
    expect(mcnemarExactP(7, 11)).toBeCloseTo(0.4807, 4);
    expect(mcnemarExactP(10, 10)).toBe(1);
    expect(mcnemarExactP(1, 30)).toBeLessThan(1e-6);
  });
});

describe("significance in the evaluation summary", () => {
  const qs = queries(
    300,
    (i) => i % 5 !== 0,
    (i) => i % 10 !== 0,
    (i) => (i % 5 === 0 ? 0.9 : 0.1),
  );
  const summary = evaluationSummary(qs, { threshold: 0.5, presets: { economy: 1, balanced: 0.5 }, seed: 3 });

  it("gives every rule and preset an interval around its score, seeded and reproducible", () => {
    const s = summary.significance;
    expect(s).toMatchObject({ resamples: 2000, seed: 3, level: 0.95 });
    const names = s.rules.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "pyramid (t=0.50)",
        "preset economy (t=1.00)",
        "preset balanced (t=0.50)",
        "a",
        "crowd majority",
        "Oracle alone",
        "perfect router",
      ]),
    );
    for (const rule of [
      summary.pyramid,
      ...summary.presets.map((p) => p.score),
      ...summary.baselines.filter((b) => !b.name.startsWith("random")),
    ]) {
      const ci = s.rules.find((r) => r.name === rule.name);
      expect(ci, rule.name).toBeDefined();
      expect(ci!.accuracy[0]).toBeLessThanOrEqual(rule.accuracy + 1e-12);
      expect(ci!.accuracy[1]).toBeGreaterThanOrEqual(rule.accuracy - 1e-12);
      expect(ci!.costSaving[0]).toBeLessThanOrEqual(rule.costSaving + 1e-12);
      expect(ci!.costSaving[1]).toBeGreaterThanOrEqual(rule.costSaving - 1e-12);
      expect(ci!.escalationRate[0]).toBeLessThanOrEqual(rule.escalationRate + 1e-12);
      expect(ci!.escalationRate[1]).toBeGreaterThanOrEqual(rule.escalationRate - 1e-12);
    }
    const crowd = s.rules.find((r) => r.name === "crowd majority")!;
    expect(crowd.accuracy[1] - crowd.accuracy[0]).toBeGreaterThan(0.05);
    expect(crowd.accuracy[1] - crowd.accuracy[0]).toBeLessThan(0.15);
    expect(evaluationSummary(qs, { threshold: 0.5, seed: 3 }).significance.rules[0]).toEqual(s.rules[0]);
    expect(evaluationSummary(qs, { threshold: 0.5, seed: 4 }).significance.rules[0]).not.toEqual(s.rules[0]);
  });

  it("tests each pyramid rule against the Oracle on the same queries", () => {
    const byName = new Map(summary.significance.versusOracle.map((c) => [c.name, c]));
    // At t = 0.5 the router escalates exactly the crowd's errors: right wherever the crowd or the Oracle is.
    const pyramid = byName.get("pyramid (t=0.50)")!;
    expect(pyramid.onlyOracleRight).toBe(0);
    expect(pyramid.onlyRuleRight).toBe(0);
    expect(pyramid.mcnemarP).toBe(1);
    expect(pyramid.shareAtLeastOracle).toBe(1);
    const crowd = byName.get("crowd majority")!;
    expect(crowd.accuracyDifference).toBeCloseTo(0.8 - 0.9, 12);
    expect(crowd.onlyOracleRight).toBe(30);
    expect(crowd.onlyRuleRight).toBe(0);
    expect(crowd.mcnemarP).toBeLessThan(1e-6);
    expect(crowd.interval[1]).toBeLessThan(0);
    expect(crowd.shareAtLeastOracle).toBe(0);
    expect(byName.has("Oracle alone")).toBe(false);
  });

  it("writes the intervals and tests to summary.md and summary.json", () => {
    const md = summaryMarkdown(summary);
    expect(md).toMatch(/## Significance \(95% bootstrap intervals, 2000 resamples of the queries, seed 3\)/);
    expect(md).toMatch(/\| crowd majority \| -10\.0 pp \| \[/);
    const json = JSON.parse(summaryJson(summary)) as {
      significance: { rules: { name: string; accuracy: number[] }[] };
    };
    expect(json.significance.rules.length).toBe(summary.significance.rules.length);
  });

  it("scores any rule the same way as the summary (custom rules)", () => {
    const custom = significance(
      qs,
      [{ name: "t=0.95", score: (x) => scoreThreshold(x, 0.95), paired: true }],
      ORACLE_RULE,
      { resamples: 500 },
    );
    expect(custom.versusOracle[0].accuracyDifference).toBeCloseTo(-0.1, 12);
    expect(custom.rules[0].escalationRate).toEqual([0, 0]);
  });
});
