import { describe, expect, it } from "vitest";
import {
  confusionAt,
  crowdMajority,
  defaultThresholds,
  escalateUnlessMajority,
  escalateUnlessUnanimous,
  evaluationSummary,
  frontierSweep,
  gradedQueriesFromTraces,
  oracleAlone,
  perfectRouter,
  performanceProfile,
  profileCsv,
  randomRouter,
  scoreThreshold,
  singleModels,
  summaryJson,
  summaryMarkdown,
  theorem1At,
  theorem1Markdown,
  type GradedQuery,
} from "../../src/eval/metrics/index.js";
import type { EvalTraceLine } from "../../src/core/trace_schema.js";

/** A query with three members; `answers` are theirs, `gold` the right answer. */
function q(id: string, pFail: number, answers: (string | null)[], gold: string, oracleCorrect: boolean): GradedQuery {
  const counts = new Map<string, number>();
  for (const a of answers) if (a !== null) counts.set(a, (counts.get(a) ?? 0) + 1);
  const top = [...counts.entries()].sort((x, y) => y[1] - x[1])[0]?.[0] ?? null;
  return {
    id,
    pFail,
    crowdCorrect: top === gold,
    oracleCorrect,
    crowdCost: 3,
    oracleCost: 10,
    members: answers.map((a, i) => ({ model: `m${i}`, answer: a, correct: a === gold, cost: 1 })),
  };
}

// 5 queries. Crowd wrong on b, d, e. Oracle wrong on c and e.
const queries: GradedQuery[] = [
  q("a", 0.1, ["1", "1", "1"], "1", true), // unanimous, right
  q("b", 0.9, ["2", "3", "4"], "2", true), // no majority; the "top" is the first: 2 -> right? (see below)
  q("c", 0.6, ["5", "5", "6"], "5", false), // majority, right; Oracle wrong
  q("d", 0.7, ["7", "7", "8"], "8", true), // majority wrong
  q("e", 0.3, ["9", "0", "0"], "9", false), // majority wrong, Oracle wrong
];

describe("hand-made records", () => {
  it("crowd majority and Oracle alone", () => {
    // b's top is "2" (first of the ties), right.
    expect(queries.map((x) => x.crowdCorrect)).toEqual([true, true, true, false, false]);
    const crowd = crowdMajority(queries);
    expect(crowd.accuracy).toBeCloseTo(3 / 5);
    expect(crowd.cost).toBe(15);
    expect(crowd.costSaving).toBeCloseTo(1 - 15 / 50);
    const oracle = oracleAlone(queries);
    expect(oracle.accuracy).toBeCloseTo(3 / 5);
    expect(oracle.cost).toBe(50);
    expect(oracle.costSaving).toBeCloseTo(0);
  });

  it("single models", () => {
    const singles = singleModels(queries);
    expect(singles.map((s) => s.name)).toEqual(["m0", "m1", "m2"]);
    // m0 right on a,b,c,e; m1 right on a,c; m2 right on a,d.
    expect(singles.map((s) => s.accuracy)).toEqual([4 / 5, 2 / 5, 2 / 5]);
    expect(singles[0].cost).toBe(5);
  });

  it("threshold rule, confusion matrix and recall", () => {
    // t = 0.5 escalates b (0.9), c (0.6), d (0.7).
    const c = confusionAt(queries, 0.5);
    expect(c).toMatchObject({ truePositive: 1, falsePositive: 2, falseNegative: 1, trueNegative: 1 });
    expect(c.recall).toBeCloseTo(0.5);
    expect(c.precision).toBeCloseTo(1 / 3);
    const profile = performanceProfile(queries, [0.5]);
    // a crowd right, b Oracle right, c Oracle wrong, d Oracle right, e crowd wrong -> 3/5.
    expect(profile[0].accuracy).toBeCloseTo(3 / 5);
    expect(profile[0].cost).toBe(15 + 30);
    expect(profile[0].escalationRate).toBeCloseTo(3 / 5);
    expect(profile[0].costSaving).toBeCloseTo(1 - 45 / 50);
    // Crowd errors are d and e; t = 0.5 escalates d only.
    expect(scoreThreshold(queries, 0.5).recallOfCrowdErrors).toBeCloseTo(1 / 2);
    expect(scoreThreshold(queries, 0.2).recallOfCrowdErrors).toBeCloseTo(1);
    expect(crowdMajority(queries).recallOfCrowdErrors).toBe(0);
    expect(oracleAlone(queries).recallOfCrowdErrors).toBe(1);
    expect(singleModels(queries)[0].recallOfCrowdErrors).toBeUndefined();
  });

  it("Theorem 1 quantities", () => {
    const r = theorem1At(queries, 0.5);
    expect(r.pR).toBeCloseTo(0.6);
    expect(r.alphaL1).toBeCloseTo(2 / 3); // crowd on b, c, d: right, right, wrong
    expect(r.alphaL2).toBeCloseTo(2 / 3); // Oracle on b, c, d: right, wrong, right
    expect(r.gap).toBeCloseTo(0);
    expect(r.satisfied).toBe(true);
    const r2 = theorem1At(queries, 0.65); // R = b, d: crowd 1/2, Oracle 2/2
    expect(r2.alphaL1).toBeCloseTo(0.5);
    expect(r2.alphaL2).toBeCloseTo(1);
    expect(r2.deltaAccuracy).toBeCloseTo(0.4 * 0.5);
    const r3 = theorem1At(queries, 0.55); // R = b, c, d ... same as 0.5
    expect(r3.escalated).toBe(3);
    const bad = theorem1At([q("x", 0.9, ["1", "1", "1"], "1", false)], 0.5);
    expect(bad.satisfied).toBe(false);
    expect(bad.gap).toBeCloseTo(-1);
    const empty = theorem1At(queries, 0.95);
    expect(empty.escalated).toBe(0);
    expect(empty.satisfied).toBe(true);
    expect(Number.isNaN(empty.alphaL1)).toBe(true);
  });

  it("agreement rules", () => {
    // Unanimous only on a -> escalate b, c, d, e.
    const u = escalateUnlessUnanimous(queries);
    expect(u.escalationRate).toBeCloseTo(4 / 5);
    expect(u.accuracy).toBeCloseTo(3 / 5); // a right, b right, c wrong, d right, e wrong
    // Majority agrees on a, c, d, e -> escalate b only.
    const m = escalateUnlessMajority(queries);
    expect(m.escalationRate).toBeCloseTo(1 / 5);
    expect(m.accuracy).toBeCloseTo(3 / 5);
    expect(m.cost).toBe(15 + 10);
  });

  it("perfect router escalates exactly the fixable crowd errors", () => {
    const p = perfectRouter(queries);
    expect(p.escalationRate).toBeCloseTo(1 / 5); // only d is wrong-crowd & right-Oracle
    expect(p.accuracy).toBeCloseTo(4 / 5);
  });

  it("random router: exact rate, seeded, averaged", () => {
    const r1 = randomRouter(queries, 0.4, 200, 7);
    const r2 = randomRouter(queries, 0.4, 200, 7);
    expect(r1).toEqual(r2);
    expect(r1.escalationRate).toBeCloseTo(0.4);
    expect(r1.cost).toBeCloseTo(15 + 2 * 10);
    // Expected accuracy: crowd 0.6 + 0.4 * (Oracle 0.6 - crowd 0.6) mixing -> near 0.6.
    expect(Math.abs(r1.accuracy - 0.6)).toBeLessThan(0.05);
    expect(r1.accuracyStd).toBeGreaterThan(0);
    expect(randomRouter(queries, 0.4, 200, 8).accuracy).not.toBe(r1.accuracy);
  });

  it("frontier sweep covers nothing..everything and summary compares baselines", () => {
    const sweep = frontierSweep(queries);
    expect(sweep[0].cost).toBe(15);
    expect(sweep[sweep.length - 1].cost).toBe(65);
    const s = evaluationSummary(queries, { threshold: 0.5, presets: { balanced: 0.65 } });
    expect(s.baselines.map((b) => b.name)).toEqual([
      "m0",
      "m1",
      "m2",
      "crowd majority",
      "Oracle alone",
      "escalate unless unanimous",
      "escalate unless a majority agrees",
      "random router (rate 60.0%)",
      "perfect router",
    ]);
    expect(s.presets[0].score.accuracy).toBeCloseTo(4 / 5); // escalate b, d
    const vsUnanimity = s.frontier.find((f) => f.baseline === "escalate unless unanimous")!;
    expect(vsUnanimity.routerNotBelow).toBe(true);
    expect(vsUnanimity.routerAccuracyAtSameCost).toBeCloseTo(4 / 5);
  });
});

describe("writers", () => {
  const s = evaluationSummary(queries, { threshold: 0.5 });
  it("profile.csv has a header and 19 rows", () => {
    const csv = profileCsv(performanceProfile(queries));
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe("threshold,accuracy,escalation_rate,cost_usd,cost_saving,recall_crowd_errors");
    expect(lines).toHaveLength(1 + defaultThresholds().length);
    expect(defaultThresholds()).toHaveLength(19);
    expect(lines[10].startsWith("0.50,0.600000,0.600000,45.")).toBe(true);
  });
  it("theorem1.md and summary.md carry the numbers", () => {
    const md = theorem1Markdown(s.theorem1Table, { chosen: 0.5 });
    expect(md).toContain("| 0.50 **(chosen)** | 60.0% | 3 | 66.7% | 66.7% | 0.0 pp | 0.00 pp | yes |");
    const summary = summaryMarkdown(s);
    expect(summary).toContain("| crowd majority | 60.0% | 0.0% | 0.0% |");
    expect(summary).toContain("| pyramid (t=0.50) | 60.0% | 60.0% | 50.0% |");
    expect(summary).toContain("| m0 | 80.0% | 0.0% | n/a |");
    expect(summary).toContain("| escalated | 1 | 2 |");
    expect(summary).toContain("| kept | 1 | 1 |");
  });
  it("summary.json writes NaN as null and parses back", () => {
    const empty = evaluationSummary(queries, { threshold: 0.99 });
    const parsed = JSON.parse(summaryJson(empty)) as { theorem1: { alphaL1: unknown }; queries: number };
    expect(parsed.theorem1.alphaL1).toBeNull();
    expect(parsed.queries).toBe(5);
  });
});

describe("gradedQueriesFromTraces", () => {
  it("maps trace lines and splits the crowd cost over members", () => {
    const line: EvalTraceLine = {
      id: "gsm8k/test/1",
      benchmark: "gsm8k",
      featureNames: ["f"],
      features: [null],
      candidates: [
        { model: "a", answer: "3", correct: true },
        { model: "b", answer: "4", correct: false },
      ],
      crowdAnswer: "3",
      crowdCorrect: true,
      oracleAnswer: "3",
      oracleCorrect: true,
      pFail: 0.2,
      threshold: 0.5,
      escalated: false,
      finalAnswer: "3",
      correct: true,
      cost: { crowd: 0.002, oracle: 0.01, total: 0.002, oracleOnly: 0.01 },
    };
    const [g] = gradedQueriesFromTraces([line]);
    expect(g.members.map((m) => m.cost)).toEqual([0.001, 0.001]);
    expect(g.oracleCost).toBe(0.01);
    expect(g.members[1].correct).toBe(false);
  });
});
