import { describe, expect, it } from "vitest";
import { profileAt, profileRows, tallyEscalation, type ProfileQuery } from "../../src/policy/profile.js";
import { performanceAt, tierBaselines } from "../../src/policy/calibrate.js";
import {
  confusionAt,
  performanceProfile,
  scorePyramidRule,
  theorem1At,
  type GradedQuery,
} from "../../src/eval/metrics/index.js";

// The profile shared by preset calibration (src/policy/calibrate.ts) and the evaluation reports
// (src/eval/metrics): these cases pin what each caller computed before they shared it.

/** Five queries: the crowd is wrong on b and e; the Oracle is wrong on c. */
const rows: ProfileQuery[] = [
  { pFail: 0.1, crowdCorrect: true, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.9, crowdCorrect: false, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.6, crowdCorrect: true, oracleCorrect: false, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.5, crowdCorrect: true, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
  { pFail: 0.3, crowdCorrect: false, oracleCorrect: true, crowdCost: 1, oracleCost: 10 },
];

const queries: GradedQuery[] = rows.map((row, i) => ({ ...row, id: `q${i}`, members: [] }));

describe("shared performance profile", () => {
  it("tallies an escalation rule in one pass", () => {
    expect(tallyEscalation(rows, (row) => row.pFail > 0.5)).toEqual({
      queries: 5,
      escalated: 2,
      correct: 3, // a crowd right, b Oracle right, c Oracle wrong, d crowd right, e crowd wrong
      cost: 25,
      oracleAloneCost: 50,
      crowdErrors: 2,
      escalatedCrowdWrong: 1,
      escalatedOracleCorrect: 1,
    });
    expect(tallyEscalation(rows, (_, index) => index === 4).correct).toBe(4); // only e escalated: b stays wrong
  });

  it("scores a threshold: escalate iff pFail > t, strictly", () => {
    const row = profileAt(rows, 0.5); // d (pFail 0.5) stays with the crowd
    expect(row).toEqual({
      threshold: 0.5,
      accuracy: 3 / 5,
      escalationRate: 2 / 5,
      cost: 25,
      meanCost: 5,
      costFraction: 0.5,
      costSaving: 0.5,
      recall: 1 / 2,
      precision: 1 / 2,
    });
    expect(profileRows(rows, [1, 0]).map((r) => r.escalationRate)).toEqual([0, 1]);
  });

  it("reports NaN where a rate has no denominator, and zeros on an empty set", () => {
    const free = rows.map((row) => ({ ...row, crowdCost: 0, oracleCost: 0 }));
    expect(profileAt(free, 0.5).costSaving).toBeNaN();
    expect(profileAt(free, 0.5).costFraction).toBeNaN();
    expect(
      profileAt(
        rows.filter((row) => row.crowdCorrect),
        0,
      ).recall,
    ).toBeNaN();
    expect(profileAt(rows, 1).precision).toBeNaN();
    expect(profileAt([], 0.5)).toMatchObject({ accuracy: 0, escalationRate: 0, cost: 0, meanCost: 0 });
  });

  it("measures the saving against oracleOnlyCost when given (calibration), oracleCost otherwise", () => {
    const withOnly = rows.map((row) => ({ ...row, oracleOnlyCost: 20 }));
    expect(profileAt(withOnly, 0.5).costSaving).toBe(1 - 25 / 100);
    expect(tierBaselines(withOnly)).toEqual({
      crowdAccuracy: 3 / 5,
      oracleAccuracy: 4 / 5,
      crowdMeanCost: 1,
      oracleMeanCost: 20,
    });
  });

  it("adds costs query by query, as the reports always did", () => {
    // (0.1 + (0.2 + 0.3)) is 0.6, ((0.1 + 0.2) + 0.3) is 0.6000000000000001: summary.json kept the first.
    const costs: ProfileQuery[] = [
      { pFail: 0, crowdCorrect: true, oracleCorrect: true, crowdCost: 0.1, oracleCost: 1 },
      { pFail: 1, crowdCorrect: true, oracleCorrect: true, crowdCost: 0.2, oracleCost: 0.3 },
    ];
    expect(profileAt(costs, 0.5).cost).toBe(0.6);
  });

  it("gives the calibration and the reports the same figures", () => {
    for (const t of [0, 0.2, 0.5, 0.55, 0.95]) {
      const calibration = performanceAt(rows, t);
      const [report] = performanceProfile(queries, [t]);
      expect(calibration).toEqual({
        threshold: t,
        escalationRate: report.escalationRate,
        accuracy: report.accuracy,
        meanCost: report.costPerQuery,
        costSaving: report.costSaving,
        recallOfCrowdErrors: report.recall,
        precision: profileAt(rows, t).precision,
      });
      const confusion = confusionAt(queries, t);
      expect(confusion.truePositive + confusion.falsePositive).toBe(report.escalationRate * 5);
      expect(confusion.recall).toEqual(report.recall);
      expect(theorem1At(queries, t).pR).toBe(report.escalationRate);
      expect(scorePyramidRule("x", queries, (q) => q.pFail > t)).toMatchObject({
        accuracy: report.accuracy,
        cost: report.cost,
      });
    }
  });

  it("keeps the report's profile point shape (the key order of summary.json)", () => {
    expect(Object.keys(performanceProfile(queries, [0.5])[0])).toEqual([
      "name",
      "accuracy",
      "escalationRate",
      "cost",
      "costPerQuery",
      "costFraction",
      "costSaving",
      "threshold",
      "recall",
    ]);
    expect(performanceProfile(queries, [0.5])[0].name).toBe("pyramid (t=0.50)");
  });
});
