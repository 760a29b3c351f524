import { describe, expect, it } from "vitest";
import { evaluationSummary, type GradedQuery } from "../../src/eval/metrics/index.js";
import { paperComparisonMarkdown, type EvalRun } from "../../scripts/paper_comparison.js";

/** A query with a unanimous crowd of three members; crowd costs 3, the Oracle 10. */
function q(id: string, pFail: number, crowdCorrect: boolean, oracleCorrect: boolean): GradedQuery {
  const answer = crowdCorrect ? "1" : "2";
  return {
    id,
    pFail,
    crowdCorrect,
    oracleCorrect,
    crowdCost: 3,
    oracleCost: 10,
    members: [0, 1, 2].map((i) => ({ model: `m${i}`, answer, correct: crowdCorrect, cost: 1 })),
  };
}

function run(queries: GradedQuery[], threshold: number): EvalRun {
  return {
    queries,
    summary: evaluationSummary(queries, { threshold, presets: { balanced: threshold, "baseline-match": threshold } }),
  };
}

// 10 queries, crowd wrong on the two with the highest pFail, Oracle right everywhere: escalating those two
// costs 3*10 + 2*10 = 50 of the Oracle's 100 (50% saving) and matches the Oracle's 100%.
const good = Array.from({ length: 10 }, (_, i) => q(`g${i}`, i / 10, i < 8, true));
// The router ranks the crowd's errors last: at 50% saving it cannot catch them.
const bad = Array.from({ length: 10 }, (_, i) => q(`b${i}`, i / 10, i >= 2, true));

describe("paperComparisonMarkdown", () => {
  it("reports the goal met when the frontier reaches the Oracle at a 50% saving", () => {
    const md = paperComparisonMarkdown(run(good, 0.75), run(bad, 0.75));
    expect(md).toContain(
      "- GSM8K: Oracle 100.0%; best frontier accuracy at >= 50.0% saving: 100.0% at 50.0% saving, goal met on the frontier; met by the preset `balanced`, `baseline-match`;",
    );
    expect(md).toContain(
      "- MBPP: Oracle 100.0%; best frontier accuracy at >= 50.0% saving: 80.0% at 70.0% saving, goal not met on the frontier; met by no preset fixed in advance;",
    );
    expect(md).toContain("| GSM8K | balanced | 0.75 | 20.0% | 0.0% | 100.0% | 100.0 pp | 20.00 pp | yes |");
    // balanced preset at t=0.75 escalates the two crowd errors of `good`, none of `bad`'s.
    expect(md).toContain("`baseline-match`: 100.0% vs 100.0%, 50.0% saving");
    expect(md).toContain(
      "| MBPP: crowd bugs intercepted (v2, v3) | 81.6% | `balanced`: 0.0% at 50.0% saving, 80.0% vs Oracle 100.0%",
    );
  });
});

describe("paperComparisonMarkdown with Table 3 and the MATH zero-shot run", () => {
  it("prints the paper's Table 3 rows next to this run's values at t = 0.4", () => {
    const md = paperComparisonMarkdown(run(good, 0.75), run(bad, 0.75), run(good, 0.75));
    expect(md).toContain("| MBPP (code) | 55.8%, 37.9%, 69.0%, 31.1 pp, 17.3 pp | MBPP holdout:");
    expect(md).toContain(
      "| HumanEval (code, zero-shot) | 56.1%, 69.6%, 80.4%, 10.9 pp, 6.1 pp | not measured: no recorded outputs |",
    );
    // good: pFail i/10 > 0.4 escalates 5 queries (i = 5..9), the crowd is wrong on 8 and 9 of them.
    expect(md).toContain(
      "| GSM8K/MMLU (math) | 51.6%, 88.4%, 98.3%, 9.9 pp, 5.1 pp | GSM8K holdout: 50.0%, 60.0%, 100.0%, 40.0 pp, 20.0 pp (satisfied) |",
    );
    expect(md).toContain(
      "| MATH 500 (math, zero-shot) | 16.2%, 54.3%, 60.5%, 6.2 pp, 1.0 pp | MATH level 5, GSM8K router:",
    );
    expect(md).toMatch(
      /MATH level 5 \(10 problems, not MATH-500\), GSM8K router zero-shot: Oracle 100\.0%; `balanced` 100\.0% at 50\.0% saving/,
    );
    expect(paperComparisonMarkdown(run(good, 0.75), run(bad, 0.75))).toContain(
      "not measured here (give the MATH zero-shot run as the third argument)",
    );
  });
});
