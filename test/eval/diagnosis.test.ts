import { describe, expect, it } from "vitest";
import { diagnoseWorkload } from "../../src/eval/index.js";
import type { GradedQuery } from "../../src/eval/index.js";

/**
 * A graded query of members A, B and C (0.1 each; the Oracle 1): `answers` like `"x+ x+ y-"`, each member's answer
 * key followed by `+` (right) or `-` (wrong).
 */
function query(id: string, pFail: number, answers: string, crowdCorrect: boolean, oracleCorrect: boolean): GradedQuery {
  return {
    id,
    pFail,
    crowdCorrect,
    oracleCorrect,
    crowdCost: 0.3,
    oracleCost: 1,
    members: answers.split(" ").map((member, index) => ({
      model: "ABC"[index],
      answer: member.slice(0, -1),
      correct: member.endsWith("+"),
      cost: 0.1,
    })),
  };
}

/** The diagnosis of `queries`, each of weight 1, with exact accuracies (no sampling interval). */
const exactly = (queries: readonly GradedQuery[]) =>
  diagnoseWorkload(
    queries.map((q) => ({ query: q, weight: 1 })),
    { significance: false },
  );

// Hand-computed fixture: 3 members, crowd cost 0.3 and Oracle cost 1 per query.
const FIXTURE: GradedQuery[] = [
  query("q1", 0, "x+ x+ x+", true, true),
  query("q2", 1 / 3, "x+ x+ y-", true, true),
  query("q3", 1 / 3, "y- x+ x+", true, true),
  query("q4", 2 / 3, "y- z- x+", false, true),
];

describe("diagnoseWorkload on a hand-computed fixture", () => {
  // Exact accuracies (no sampling interval): four queries would make any interval wide.
  const d = exactly(FIXTURE);
  it("finds the threshold that reaches the Oracle's accuracy with the largest saving", () => {
    // t = 1/3 keeps q1-q3 (all right) and escalates q4: accuracy 1, cost 4 x 0.3 + 1 = 2.2 of 4.
    expect(d.oracleAccuracy).toBe(1);
    expect(d.crowdAccuracy).toBe(0.75);
    expect(d.reaches?.threshold).toBeCloseTo(1 / 3, 12);
    expect(d.reaches?.accuracy).toBe(1);
    expect(d.reaches?.saving).toBeCloseTo(0.45, 12);
    expect(d.recommendation).toBe("keep");
  });
  it("gives the unanimity, perfect-router and crowd-cost figures", () => {
    expect(d.unanimousRate).toBe(0.25);
    expect(d.unanimousAccuracy).toBe(1);
    // Escalate unless unanimous: 1.2 + 3 of 4.
    expect(d.unanimousSaving).toBeCloseTo(-0.05, 12);
    // The perfect router escalates q4 only.
    expect(d.perfectSaving).toBeCloseTo(0.45, 12);
    expect(d.crowdCostFraction).toBeCloseTo(0.3, 12);
  });
  it("gives each member's accuracy and marginal value to the vote", () => {
    // Without A the two-member ties go to B: q1-q3 right, q4 wrong (0.75, no change); without B or C, q3 and q4
    // go to A's wrong answer (0.5).
    expect(d.members.map((m) => m.model)).toEqual(["A", "B", "C"]);
    expect(d.members.map((m) => m.accuracy)).toEqual([0.5, 0.75, 0.75]);
    expect(d.members.map((m) => m.marginal)).toEqual([0, 0.25, 0.25]);
  });
  it("weighs queries: weight 2 equals the query twice", () => {
    const weighted = diagnoseWorkload(
      FIXTURE.map((q) => ({ query: q, weight: q.id === "q4" ? 2 : 1 })),
      { significance: false },
    );
    const doubled = exactly([...FIXTURE, FIXTURE[3]]);
    expect({ ...weighted, queries: 0 }).toEqual({ ...doubled, queries: 0 });
  });
});

describe("diagnoseWorkload when the pyramid cannot pay", () => {
  it("says the crowd is wrong when unanimous and recommends the Oracle when every member adds to the vote", () => {
    const wrongTogether = [
      query("a", 0, "x- x- x-", false, true),
      query("b", 0, "x+ x+ x+", true, true),
      query("c", 1 / 3, "x+ x+ y-", true, true),
      query("d", 1 / 3, "y- x+ x+", true, true),
      query("e", 1 / 3, "x+ y- x+", true, true),
    ];
    const d = exactly(wrongTogether);
    expect(d.reaches).toBeNull();
    expect(d.unanimousAccuracy).toBe(0.5);
    expect(d.members.every((m) => m.marginal > 0)).toBe(true);
    expect(d.recommendation).toBe("oracle");
    expect(d.reasons.join(" ")).toMatch(/right on only 50\.0% of the queries where it is unanimous/);
  });
  it("recommends changing the crowd when a member adds nothing and a perfect router would save", () => {
    const withDeadWeight = [
      query("a", 0, "x- x- x-", false, true),
      query("b", 0, "x+ x+ x+", true, true),
      query("c", 1 / 3, "x+ x+ y-", true, true),
    ];
    const d = exactly(withDeadWeight);
    expect(d.reaches).toBeNull();
    expect(d.members.map((m) => m.marginal)).toEqual([0, 0, 0]);
    expect(d.perfectSaving).toBeCloseTo(1 - (0.9 + 1) / 3, 12);
    expect(d.recommendation).toBe("change-crowd");
  });
});

describe("diagnoseWorkload's sampling interval", () => {
  it("counts an accuracy one query below the Oracle's as reaching it on 100 queries, not with significance off", () => {
    // 100 queries: 99 unanimous and right, one unanimous and wrong where the Oracle is right; the Oracle is always right.
    const queries = Array.from({ length: 100 }, (_, i) =>
      query(`q${i}`, 0, i > 0 ? "x+ x+ x+" : "x- x- x-", i > 0, true),
    );
    const rows = queries.map((q) => ({ query: q, weight: 1 }));
    const d = diagnoseWorkload(rows);
    // Paired differences: one -1 in 100, mean -0.01, variance 0.01 - 0.0001: half-width 1.96 * sqrt(0.0099 / 100).
    expect(d.reaches?.accuracy).toBeCloseTo(0.99, 12);
    expect(d.reaches?.halfWidth).toBeCloseTo(1.96 * Math.sqrt(0.0099 / 100), 12);
    expect(d.reaches?.saving).toBeCloseTo(0.7, 12);
    expect(diagnoseWorkload(rows, { significance: false }).reaches).toBeNull();
  });
});

describe("diagnoseWorkload when the Oracle adds nothing", () => {
  it("says so when the threshold that reaches the Oracle escalates nothing", () => {
    const same = [query("a", 0, "x+ x+ x+", true, true), query("b", 1 / 3, "x- x- y+", false, false)];
    const d = exactly(same);
    expect(d.recommendation).toBe("keep");
    expect(d.reaches?.saving).toBeCloseTo(0.7, 12);
    expect(d.reasons[0]).toMatch(/nothing is escalated: the Oracle is not measurably better/);
  });
});
