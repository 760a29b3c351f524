import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { frontierSvg } from "../../src/plots/frontier_plot.js";
import { DataFormatError } from "../../src/errors/index.js";
import type { EvalTraceLine } from "../../src/core/trace_schema.js";
import { wilsonInterval } from "../../src/router/calibration/reliability.js";
import type { LabelledQuery, LabelledSample } from "../../src/traces/labels.js";
import type { TrafficRecord } from "../../src/traces/read.js";
import { reliabilityBins, trafficWindows, wilson } from "../../src/traces/report/windows.js";
import { trafficReportMarkdown, writeTrafficReport } from "../../src/traces/report/write_report.js";
import type { QueryTraceLine, ShadowTraceLine } from "../../src/traces/schema.js";
import { trafficCalibrationRows } from "../../src/traces/train/calibration_rows.js";
import { asEvalTraces, trafficDataset } from "../../src/traces/train/dataset.js";
import { describeComparison, pairedComparison, tQuantile } from "../../src/traces/train/paired_comparison.js";
import { requireEnoughLabels } from "../../src/traces/train/refusals.js";
import { replicationCounts, weightedAuc } from "../../src/traces/train/weighted_metrics.js";
import { thrownBy } from "../helpers/thrown.js";

// The arithmetic of training and reporting on production traffic (src/traces/train, src/traces/report), value by
// value on hand-worked fixtures: the fast tests of the traces-train mutation scope (learn.test.ts runs the CLI end to
// end, too slow to run per mutant).

describe("weightedAuc: P(a weighted positive scores above a weighted negative), ties half", () => {
  it("counts the pairs in any input order", () => {
    // Positives 0.35 and 0.8, negatives 0.1 and 0.4: 0.35 beats 0.1 only, 0.8 beats both: 3 of 4 pairs.
    expect(weightedAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true], [1, 1, 1, 1])).toBe(0.75);
    // Weights 2, 1 (negatives) and 1, 3 (positives): (1 * 2 + 3 * (2 + 1)) / (4 * 3) = 11/12.
    expect(weightedAuc([0.1, 0.4, 0.35, 0.8], [false, false, true, true], [2, 1, 1, 3])).toBeCloseTo(11 / 12, 15);
  });

  it("counts a tie as half a pair, weighted", () => {
    // Positive 0.5 against negatives 0.5 (tie) and 0.2: (1/2 + 1) / 2.
    expect(weightedAuc([0.5, 0.5, 0.2], [true, false, false], [1, 1, 1])).toBe(0.75);
    // Weights 2 (positive), 3 (tied negative), 1: 2 * (1 + 3/2) / (2 * 4) = 5/8.
    expect(weightedAuc([0.5, 0.5, 0.2], [true, false, false], [2, 3, 1])).toBe(5 / 8);
    // A tie group holding both classes after a lower negative.
    expect(weightedAuc([0.2, 0.7, 0.7, 0.7], [false, true, false, true], [1, 1, 1, 1])).toBe((1.5 + 1.5) / 4);
  });

  it("is NaN when a class has no weight", () => {
    expect(weightedAuc([0.1, 0.2], [true, true], [1, 1])).toBeNaN();
    expect(weightedAuc([0.1, 0.2], [false, false], [1, 1])).toBeNaN();
    expect(weightedAuc([0.1, 0.2], [true, false], [0, 1])).toBeNaN();
    expect(weightedAuc([0.1, 0.2], [true, false], [1, 0])).toBeNaN();
    expect(weightedAuc([], [], [])).toBeNaN();
  });
});

describe("replicationCounts: integer copies standing for weights", () => {
  it("gives the smallest positive weight 4 copies (default) and the others proportionally more, 0 for no weight", () => {
    expect(replicationCounts([0.5, 1, 2, 0])).toEqual([4, 8, 16, 0]);
    expect(replicationCounts([1, 2], 3)).toEqual([3, 6]);
    expect(replicationCounts([0, -1])).toEqual([0, 0]);
    expect(replicationCounts([])).toEqual([]);
  });

  it("lowers the scale to fit maxTotal (default 20,000), keeping at least one copy of a positive weight", () => {
    // Scale min(4, 12 / 4) = 3.
    expect(replicationCounts([1, 3], 4, 12)).toEqual([3, 9]);
    // Scale 101 / 100.01: 0.01 rounds to 0 copies, kept at 1; 100 rounds to 101.
    expect(replicationCounts([0.01, 100], 4, 101)).toEqual([1, 101]);
    // Scale 20000 / 10001 = 1.9998: 2 and 19998 copies.
    expect(replicationCounts([1, 10_000])).toEqual([2, 19_998]);
  });
});

describe("the paired comparison of the router with the agreement rule", () => {
  it("takes Student's t quantile by the Cornish-Fisher expansion (near the table for df >= 5)", () => {
    // z = 1.959963985 (0.975): z + (z^3 + z) / 20 + (5z^5 + 16z^3 + 3z) / 2400 + (3z^7 + 19z^5 + 17z^3 - 15z) / 48000.
    // (normalQuantile is good to about 1e-9, so 7 digits.)
    expect(tQuantile(0.975, 5)).toBeCloseTo(2.567764973, 7);
    expect(tQuantile(0.975, 10)).toBeCloseTo(2.227971943, 7);
    // z = 1.644853627 (0.95), df 2.
    expect(tQuantile(0.95, 2)).toBeCloseTo(2.884664135, 7);
    // Student's table: 2.5706 (df 5), 2.2281 (df 10).
    expect(Math.abs(tQuantile(0.975, 5) - 2.570582)).toBeLessThan(3e-3);
    expect(Math.abs(tQuantile(0.975, 10) - 2.228139)).toBeLessThan(2e-4);
  });

  it("compares the folds where both AUCs exist, with the overlap-corrected t interval", () => {
    // Pairs (0.8, 0.7), (0.7, 0.7), (0.9, 0.6); fold 2 (router NaN) and fold 4 (rule NaN) left out.
    const c = pairedComparison([0.8, 0.7, Number.NaN, 0.9, 0.5], [0.7, 0.7, 0.6, 0.6, Number.NaN], {
      repetitions: 2,
      k: 2,
    });
    // Differences 0.1, 0, 0.3: mean 2/15, sample variance 0.07 / 3; n_test / n_train = 1 / (k - 1) = 1;
    // se = sqrt((1/3 + 1) * 0.07 / 3); half width t(0.95, 2) * se.
    const se = Math.sqrt((4 / 3) * (0.07 / 3));
    expect(c.folds).toBe(3);
    expect(c.skippedFolds).toBe(2);
    expect(c.repetitions).toBe(2);
    expect(c.k).toBe(2);
    expect(c.level).toBe(0.9);
    expect(c.difference).toBeCloseTo(2 / 15, 15);
    expect(c.lower).toBeCloseTo(2 / 15 - tQuantile(0.95, 2) * se, 12);
    expect(c.upper).toBeCloseTo(2 / 15 + tQuantile(0.95, 2) * se, 12);
    expect(c.lower).toBeCloseTo(-0.375473595, 7);
    expect(c.routerAuc).toBeCloseTo(0.8, 15);
    expect(c.agreementAuc).toBeCloseTo(2 / 3, 15);
    // Another level, another k: n_test / n_train = 1/4.
    const wide = pairedComparison([0.8, 0.7, 0.9], [0.7, 0.7, 0.6], { repetitions: 1, k: 5 }, 0.95);
    const seWide = Math.sqrt((1 / 3 + 1 / 4) * (0.07 / 3));
    expect(wide.upper - wide.difference).toBeCloseTo(tQuantile(0.975, 2) * seWide, 12);
    expect(wide.level).toBe(0.95);
  });

  it("gives no interval from one fold and nothing from none", () => {
    const one = pairedComparison([0.8], [0.6], { repetitions: 1, k: 2 });
    expect(one.difference).toBeCloseTo(0.2, 15);
    expect(one.lower).toBeNaN();
    expect(one.upper).toBeNaN();
    expect(one.routerAuc).toBe(0.8);
    const none = pairedComparison([Number.NaN], [0.6], { repetitions: 1, k: 2 });
    expect(none).toMatchObject({ folds: 0, skippedFolds: 1 });
    expect(none.difference).toBeNaN();
    expect(none.routerAuc).toBeNaN();
    expect(none.agreementAuc).toBeNaN();
  });

  it("describes the comparison in one sentence, signs and left-out folds included", () => {
    const c = pairedComparison([0.8, 0.7, Number.NaN, 0.9], [0.7, 0.7, 0.6, 0.6], { repetitions: 2, k: 2 });
    expect(describeComparison(c)).toBe(
      "AUC difference +0.133 (router 0.800 - agreement rule 0.667, mean over 3 held folds: 2 repetitions of " +
        "2-fold cross-validation, the same folds for both, 1 folds with one class left out; 90% interval -0.375 to " +
        "+0.642)",
    );
    const worse = pairedComparison([0.6, 0.6], [0.7, 0.8], { repetitions: 1, k: 2 });
    expect(describeComparison(worse)).toMatch(
      /^AUC difference -0\.150 \(.*2-fold cross-validation, the same folds for both; 90% interval /,
    );
    expect(describeComparison({ ...worse, difference: 0 })).toMatch(/^AUC difference \+0\.000 /);
  });
});

/** `n` labelled rows of which the first `errors` are crowd errors. */
function sample(n: number, errors: number, queries: number): LabelledSample {
  const rows = Array.from({ length: n }, (_, i) => ({ crowdWrong: i < errors }) as unknown as LabelledQuery);
  return { rows, queries, oracleAccuracy: 1, crowdAccuracy: 1, disagreementLabel: 1 };
}

describe("requireEnoughLabels: refuses too few labels, saying how many more are needed", () => {
  const minimum = { minLabels: 10, minCrowdErrors: 5 };

  it("passes at exactly the minimum of labels and of crowd errors", () => {
    expect(() => requireEnoughLabels(sample(10, 5, 40), minimum, "shadow")).not.toThrow();
    expect(() => requireEnoughLabels(sample(9, 5, 40), minimum, "shadow")).toThrow(DataFormatError);
    expect(() => requireEnoughLabels(sample(10, 4, 40), minimum, "shadow")).toThrow(DataFormatError);
  });

  it("counts the labels the missing crowd errors need at the observed error rate, and the traffic for them", () => {
    // 8 labels, 2 errors: rate 1/4, 3 more errors need 12 more labels (more than the 2 the label minimum needs);
    // 8 of 32 queries labelled: 48 more queries.
    expect(thrownBy(() => requireEnoughLabels(sample(8, 2, 32), minimum, "shadow"))).toMatchObject({
      field: "--traces",
      message: expect.stringContaining(
        "too few labels to train a router: 8 labelled queries (2 crowd errors) of 32 queries, at least 10 labelled " +
          "and 5 crowd errors are needed; about 12 more labelled queries are needed (about 48 more queries of " +
          "traffic at the current rate of 25.0% labelled)",
      ),
      fix: "keep serving with a shadow rate (serve --shadow-rate 0.2) until enough queries are labelled, or raise the rate",
    });
    // 3 errors of 8: 2 more need 2 / (3/8) = 5.33, rounded up to 6; half the queries labelled: 12 more queries.
    expect((thrownBy(() => requireEnoughLabels(sample(8, 3, 16), minimum, "feedback")) as Error).message).toContain(
      "about 6 more labelled queries are needed (about 12 more queries of traffic at the current rate of 50.0% labelled)",
    );
    // Enough errors, too few labels: the label minimum's gap.
    expect((thrownBy(() => requireEnoughLabels(sample(7, 6, 14), minimum, "shadow")) as Error).message).toContain(
      "about 3 more labelled queries are needed (about 6 more queries",
    );
  });

  it("needs no crowd error when the minimum is 0: only the label gap", () => {
    const noErrorsNeeded = { minLabels: 10, minCrowdErrors: 0 };
    expect(
      (thrownBy(() => requireEnoughLabels(sample(5, 0, 10), noErrorsNeeded, "shadow")) as Error).message,
    ).toContain(
      "about 5 more labelled queries are needed (about 10 more queries of traffic at the current rate of 50.0% labelled)",
    );
  });

  it("says there is nothing to learn without a crowd error, and leaves out the traffic when no query was counted", () => {
    const none = thrownBy(() => requireEnoughLabels(sample(12, 0, 20), minimum, "feedback"));
    expect(none).toMatchObject({
      message: expect.stringContaining(
        "5 crowd errors are needed; no crowd error has been labelled yet, so there is nothing to learn",
      ),
      fix: "send more feedback (POST /v1/feedback), or use --labels auto",
    });
    const empty = thrownBy(() => requireEnoughLabels(sample(0, 0, 0), minimum, "shadow")) as Error;
    expect(empty.message).toContain("0 labelled queries (0 crowd errors) of 0 queries");
    expect(empty.message).toContain("nothing to learn");
    const noTraffic = thrownBy(() => requireEnoughLabels(sample(4, 4, 0), minimum, "shadow")) as Error;
    expect(noTraffic.message).toContain("are needed; about 6 more labelled queries are needed Fix");
    expect(noTraffic.message).not.toContain("queries of traffic");
  });
});

describe("trafficCalibrationRows: the weighted soft labels as unweighted graded rows", () => {
  it("splits a soft label into wrong-crowd and right-crowd copies in proportion to weight * label", () => {
    const row = (label: number, weight: number, crowdWrong: boolean) =>
      ({ label, weight, crowdWrong }) as unknown as LabelledQuery;
    const trace = (crowd: number, oracle: number, oracleOnly: number) =>
      ({ cost: { crowd, oracle, total: crowd + oracle, oracleOnly } }) as unknown as EvalTraceLine;
    // Parts: row 0 (label 1, weight 1) wrong x1; row 1 (label 0, weight 2, agreement) right x2; row 2 (label 1/4,
    // weight 4, a disagreement) wrong x1 and right-but-apex-wrong x3. Smallest weight 1 -> 4 copies each unit.
    const { graded, labels } = trafficCalibrationRows(
      [row(1, 1, true), row(0, 2, false), row(0.25, 4, true)],
      [trace(0.1, 1, 1), trace(0.2, 2, 2), trace(0.3, 3, 3)],
      [0.9, 0.1, 0.5],
    );
    expect(graded).toHaveLength(4 + 8 + 4 + 12);
    expect([...labels]).toEqual([...Array(4).fill(1), ...Array(8).fill(0), ...Array(4).fill(1), ...Array(12).fill(0)]);
    expect(graded[0]).toEqual({
      pFail: 0.9,
      crowdCorrect: false,
      oracleCorrect: true,
      crowdCost: 0.1,
      oracleCost: 1,
      oracleOnlyCost: 1,
    });
    expect(graded[4]).toMatchObject({ pFail: 0.1, crowdCorrect: true, oracleCorrect: true, crowdCost: 0.2 });
    expect(graded[12]).toMatchObject({ pFail: 0.5, crowdCorrect: false, oracleCorrect: true, oracleCost: 3 });
    expect(graded[16]).toMatchObject({ pFail: 0.5, crowdCorrect: true, oracleCorrect: false, oracleOnlyCost: 3 });
    expect(graded[27]).toMatchObject({ pFail: 0.5, crowdCorrect: true, oracleCorrect: false });
  });
});

function query(id: string, fields: Partial<QueryTraceLine>): QueryTraceLine {
  return {
    type: "query",
    id,
    time: "2026-12-01T10:00:00.000Z",
    featureNames: ["vote_share"],
    features: [1],
    candidates: [],
    crowdAnswer: "1",
    apexAnswer: null,
    pFail: 0.1,
    threshold: 0.5,
    escalated: false,
    reachedApex: false,
    tier: 0,
    decisions: [],
    finalAnswer: "1",
    cost: { crowd: 0.001, oracle: 0, total: 0.001, oracleOnly: 0.01 },
    latencyMs: 5,
    shadowScheduled: false,
    shadowRate: 0.25,
    task: "math",
    ...fields,
  };
}

const shadowLine = (id: string, costUsd: number): ShadowTraceLine => ({
  type: "shadow",
  id,
  time: "2026-12-01T10:00:01.000Z",
  apexAnswer: "2",
  agrees: false,
  costUsd,
  latencyMs: 3,
});

const labelled = (record: TrafficRecord, label: number, weight: number): LabelledQuery => ({
  record,
  label,
  crowdWrong: label >= 0.5,
  weight,
  source: "shadow",
});

describe("trafficWindows: the figures of each window of traffic", () => {
  // k1: kept, shadowed (weight 4), crowd wrong. e1: escalated (weight 1), crowd right. k2: kept, no label.
  const k1: TrafficRecord = { query: query("k1", { pFail: 0.1 }), shadow: shadowLine("k1", 0.01) };
  const e1: TrafficRecord = {
    query: query("e1", {
      pFail: 0.6,
      reachedApex: true,
      escalated: true,
      time: "2026-12-02T09:00:00.000Z",
      cost: { crowd: 0.001, oracle: 0.01, total: 0.011, oracleOnly: 0.01 },
    }),
  };
  const k2: TrafficRecord = { query: query("k2", { pFail: 0.2, time: "2026-12-02T10:00:00.000Z" }) };
  const labels: LabelledSample = {
    rows: [labelled(k1, 1, 4), labelled(e1, 0, 1)],
    queries: 3,
    oracleAccuracy: 1,
    crowdAccuracy: 1,
    disagreementLabel: 1,
  };

  it("cuts every n queries, labelled by query numbers, and estimates each window's rates", () => {
    const [first, second] = trafficWindows([k1, e1, k2], labels, { by: "count", n: 2 }, 0.1);
    expect(first).toMatchObject({
      label: "1-2",
      queries: 2,
      escalationRate: 0.5,
      keptLabelled: 1,
      keptError: 1,
      keptErrorInterval: wilson(1, 1),
      // 1 - (1 - 1/2) * 1.
      accuracyVsApex: 0.5,
      shadowCostUsd: 0.01,
      // IPW means over k1 (weight 4, P_fail 0.1, label 1) and e1 (weight 1, 0.6, 0): 1/5 and 4/5.
      observedError: 0.8,
      // Wilson's lower bound for 1 of 1 at 95% is 0.21 > 0.1.
      flagged: true,
    });
    expect(first.saving).toBeCloseTo(1 - 0.012 / 0.02, 12);
    expect(first.meanPFail).toBeCloseTo(0.2, 15);
    expect(wilson(1, 1)).toEqual({ low: wilsonInterval(1, 1, 0.95)[0], high: wilsonInterval(1, 1, 0.95)[1] });
    expect(wilson(1, 1).low).toBeCloseTo(0.2065, 4);
    expect(second).toMatchObject({ label: "3-3", queries: 1, escalationRate: 0, keptLabelled: 0, accuracyVsApex: 1 });
    expect(second.keptError).toBeNaN();
    expect(second.keptErrorInterval.low).toBeNaN();
    expect(second.saving).toBeCloseTo(0.9, 12);
    expect(second.shadowCostUsd).toBe(0);
    expect(second.meanPFail).toBeNaN();
    expect(second.observedError).toBeNaN();
    expect(second.flagged).toBe(false);
  });

  it("cuts by UTC day; flags only above a stated kept error", () => {
    const days = trafficWindows([k1, e1, k2], labels, { by: "day" });
    expect(days.map((w) => [w.label, w.queries])).toEqual([
      ["2026-12-01", 1],
      ["2026-12-02", 2],
    ]);
    expect(days[0].flagged).toBe(false);
    expect(trafficWindows([k1], labels, { by: "day" }, 0.3)[0].flagged).toBe(false);
    // e1 is escalated: 1 of 2 queries, no kept label.
    expect(days[1]).toMatchObject({ escalationRate: 0.5, keptLabelled: 0, accuracyVsApex: 1, observedError: 0 });
    expect(days[1].meanPFail).toBeCloseTo(0.6, 15);
  });

  it("divides the kept errors by the kept labels, and flags only strictly above the expected kept error", () => {
    const right: TrafficRecord = { query: query("k3", { pFail: 0.3 }), shadow: shadowLine("k3", 0.01) };
    const both: LabelledSample = { ...labels, rows: [labelled(k1, 1, 4), labelled(right, 0, 4)] };
    const [window] = trafficWindows([k1, right], both, { by: "count", n: 2 }, wilson(1, 2).low);
    expect(window).toMatchObject({ keptLabelled: 2, keptError: 0.5, keptErrorInterval: wilson(1, 2), flagged: false });
    expect(trafficWindows([k1, right], both, { by: "count", n: 2 }, wilson(1, 2).low - 1e-9)[0].flagged).toBe(true);
  });

  it("leaves the saving undefined when the apex alone would have cost nothing, whatever was spent", () => {
    const spent: TrafficRecord = {
      query: query("s", { cost: { crowd: 0.001, oracle: 0, total: 0.001, oracleOnly: 0 } }),
    };
    expect(trafficWindows([spent], { ...labels, rows: [] }, { by: "day" })[0].saving).toBeNaN();
  });

  it("leaves the saving undefined without an apex cost, and a labelled query without P_fail out of the means", () => {
    const free: TrafficRecord = {
      query: query("f", { pFail: null, cost: { crowd: 0, oracle: 0, total: 0, oracleOnly: 0 } }),
    };
    const sampleFree: LabelledSample = { ...labels, rows: [labelled(free, 1, 2)] };
    const [window] = trafficWindows([free], sampleFree, { by: "count", n: 5 });
    expect(window.label).toBe("1-1");
    expect(window.saving).toBeNaN();
    expect(window.keptLabelled).toBe(1);
    expect(window.keptError).toBe(1);
    expect(window.meanPFail).toBeNaN();
    expect(window.observedError).toBeNaN();
  });
});

describe("reliabilityBins: IPW-weighted mean P_fail against the observed error, per bin", () => {
  it("bins by P_fail (1 in the last bin), weights each row, skips rows without P_fail and empty bins", () => {
    const at = (id: string, pFail: number | null): TrafficRecord => ({ query: query(id, { pFail }) });
    const rows = [
      labelled(at("a", 0.05), 1, 4),
      labelled(at("b", 0.6), 0, 1),
      labelled(at("c", 0.65), 0.5, 3),
      labelled(at("d", 1), 1, 2),
      labelled(at("e", null), 1, 9),
    ];
    const sampleBins: LabelledSample = {
      rows,
      queries: 5,
      oracleAccuracy: 1,
      crowdAccuracy: 1,
      disagreementLabel: 1,
    };
    const bins = reliabilityBins(sampleBins);
    expect(bins).toHaveLength(3);
    expect(bins[0]).toEqual({ meanPFail: 0.05, observedError: 1, weight: 4, count: 1 });
    // Bin 6: (1 * 0.6 + 3 * 0.65) / 4 and (0 + 3 * 0.5) / 4.
    expect(bins[1].meanPFail).toBeCloseTo((0.6 + 1.95) / 4, 15);
    expect(bins[1]).toMatchObject({ observedError: 0.375, weight: 4, count: 2 });
    expect(bins[2]).toEqual({ meanPFail: 1, observedError: 1, weight: 2, count: 1 });
    // Two bins: below and above 0.5.
    expect(reliabilityBins(sampleBins, 2).map((b) => b.count)).toEqual([1, 3]);
  });
});

describe("the labelled traffic as a training set", () => {
  const keptRecord: TrafficRecord = {
    query: query("k", {
      features: [0.5, null],
      featureNames: ["vote_share", "unanimous"],
      candidates: [
        { model: "a", tier: 0, answer: "1", costUsd: 0.001, latencyMs: 1 },
        { model: "big", tier: 1, answer: "2", costUsd: 0.01, latencyMs: 2 },
      ],
      pFail: null,
      threshold: null,
    }),
    shadow: shadowLine("k", 0.02),
  };
  const escalatedRecord: TrafficRecord = {
    query: query("e", {
      features: [1, 0],
      featureNames: ["vote_share", "unanimous"],
      reachedApex: true,
      escalated: true,
      cost: { crowd: 0.001, oracle: 0.01, total: 0.011, oracleOnly: 0.012 },
    }),
  };
  const rows = [labelled(keptRecord, 0.75, 4), labelled(escalatedRecord, 0, 1)];

  it("writes each query as an evaluation trace: crowd candidates only, the uncorrected label, the apex's cost", () => {
    const [kept, escalatedTrace] = asEvalTraces(rows);
    expect(kept).toEqual({
      id: "k",
      benchmark: "traffic",
      featureNames: ["vote_share", "unanimous"],
      features: [0.5, null],
      candidates: [{ model: "a", answer: "1", costUsd: 0.001 }],
      crowdAnswer: "1",
      crowdCorrect: false,
      pFail: Number.NaN,
      threshold: Number.NaN,
      escalated: false,
      finalAnswer: "1",
      correct: false,
      // Kept: the apex's cost is the shadow call's.
      cost: { crowd: 0.001, oracle: 0.02, total: 0.001, oracleOnly: 0.01 },
    });
    expect(escalatedTrace).toMatchObject({
      crowdCorrect: true,
      pFail: 0.1,
      threshold: 0.5,
      escalated: true,
      correct: true,
      cost: { crowd: 0.001, oracle: 0.01, total: 0.011, oracleOnly: 0.012 },
    });
    // Kept without a shadow call: the apex-alone cost stands for it; escalated and crowd wrong is still correct.
    const [unshadowed, wrongCrowd] = asEvalTraces([
      labelled({ query: keptRecord.query }, 1, 1),
      labelled(escalatedRecord, 1, 1),
    ]);
    expect(unshadowed.cost.oracle).toBe(0.01);
    expect(wrongCrowd).toMatchObject({ crowdCorrect: false, correct: true });
  });

  it("builds the dense matrix (null = NaN), soft labels, weights and hard labels in row order", () => {
    const traces = asEvalTraces(rows);
    const data = trafficDataset(rows, traces);
    expect(data.featureNames).toEqual(["vote_share", "unanimous"]);
    expect(data.matrix.rows).toBe(2);
    expect(data.matrix.cols).toBe(2);
    expect([...data.matrix.data]).toEqual([0.5, Number.NaN, 1, 0]);
    expect([...data.labels]).toEqual([0.75, 0]);
    expect([...data.weights]).toEqual([4, 1]);
    expect(data.crowdWrong).toEqual([true, false]);
    expect(data.traces).toBe(traces);
  });

  it("refuses queries recorded with other feature names or another count, naming the query", () => {
    const traces = asEvalTraces(rows);
    for (const featureNames of [["vote_share", "other"], ["vote_share"], ["vote_share", "unanimous", "x"]]) {
      const changed = [traces[0], { ...traces[1], featureNames }];
      expect(
        thrownBy(() => trafficDataset(rows, changed)),
        featureNames.join(),
      ).toMatchObject({
        name: "DataFormatError",
        field: "query e",
        message: expect.stringContaining("the queries were recorded with different feature sets"),
        fix: "train on the traces of one pyramid configuration (start a new trace file when the crowd changes)",
      });
    }
  });
});

describe("the traffic report files", () => {
  const dir = mkdtempSync(join(tmpdir(), "traffic-report-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const k1: TrafficRecord = { query: query("k1", { pFail: 0.1 }), shadow: shadowLine("k1", 0.01) };
  const e1: TrafficRecord = {
    query: query("e1", {
      pFail: 0.6,
      reachedApex: true,
      escalated: true,
      cost: { crowd: 0.001, oracle: 0.01, total: 0.011, oracleOnly: 0.01 },
    }),
  };
  const k2: TrafficRecord = { query: query("k2", { pFail: 0.2 }) };
  const sampleReport: LabelledSample = {
    rows: [labelled(k1, 1, 4), labelled(e1, 0, 1)],
    queries: 3,
    oracleAccuracy: 1,
    crowdAccuracy: 1,
    disagreementLabel: 1,
  };
  const log = { records: [k1, e1, k2], files: [], orphans: 0 };

  it("writes one Markdown row per window, percentages to 0.1, n/a for undefined figures, ! for a flagged window", () => {
    const windows = trafficWindows(log.records, sampleReport, { by: "count", n: 2 }, 0.1);
    const text = trafficReportMarkdown(windows, sampleReport, {
      outDir: dir,
      windows: { by: "count", n: 2 },
      expectedKeptError: 0.1,
      expectedSource: "router.json, preset balanced",
    });
    const lines = text.split("\n");
    expect(lines.slice(0, 7)).toEqual([
      "# Traffic report",
      "",
      "3 queries, 2 labelled (escalated or shadowed: the apex's answer; feedback). Accuracy is relative to the apex alone (1 - kept share x kept error); P_fail vs error are IPW-weighted over the labelled queries.",
      "Expected error of kept answers: 10.0% (router.json, preset balanced); a window is flagged (!) when the lower end of its 95% interval is above it.",
      "",
      "| window | queries | escalated | kept labelled | kept error (95% CI) | accuracy vs apex | saving | mean P_fail | observed error | shadow USD | flag |",
      "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---|",
    ]);
    const low = (100 * wilson(1, 1).low).toFixed(1);
    expect(lines[7]).toBe(
      `| 1-2 | 2 | 50.0% | 1 | 100.0% (${low}%-100.0%) | 50.0% | 40.0% | 0.200 | 0.800 | 0.010000 | ! |`,
    );
    expect(lines[8]).toBe("| 3-3 | 1 | 0.0% | 0 | n/a (n/a-n/a) | 100.0% | 90.0% | n/a | n/a | 0.000000 |  |");
    expect(text.endsWith("|  |\n")).toBe(true);
    const noSource = trafficReportMarkdown(windows, sampleReport, {
      outDir: dir,
      windows: { by: "day" },
      expectedKeptError: 0.1,
    });
    expect(noSource.split("\n")[3]).toMatch(/^Expected error of kept answers: 10\.0%; a window/);
    const none = trafficReportMarkdown(windows, sampleReport, { outDir: dir, windows: { by: "day" } });
    expect(none.split("\n")[3]).toBe(
      "No expected kept error given (--router with --preset, or --expected-kept-error): no window is flagged.",
    );
  });

  it("writes report.md, report.json and the two plots (no PNG when asked), naming the flagged windows", async () => {
    const outDir = join(dir, "count");
    const options = { outDir, windows: { by: "count", n: 2 } as const, expectedKeptError: 0.1, png: false };
    const report = await writeTrafficReport(log, sampleReport, options);
    expect(report.flagged).toEqual(["1-2"]);
    expect(report.windows.map((w) => w.label)).toEqual(["1-2", "3-3"]);
    expect(report.files).toEqual(
      ["report.md", "report.json", "windows.svg", "calibration.svg"].map((f) => join(outDir, f)),
    );
    expect(readdirSync(outDir).sort()).toEqual(["calibration.svg", "report.json", "report.md", "windows.svg"]);
    expect(readFileSync(join(outDir, "report.md"), "utf8")).toBe(
      trafficReportMarkdown(report.windows, sampleReport, options),
    );
    const json = JSON.parse(readFileSync(join(outDir, "report.json"), "utf8"));
    expect(json).toMatchObject({ queries: 3, labelled: 2, expectedKeptError: 0.1 });
    expect(json.windows).toHaveLength(2);
    expect(json.calibration).toEqual(JSON.parse(JSON.stringify(reliabilityBins(sampleReport))));
    expect(readFileSync(join(outDir, "report.json"), "utf8").endsWith("}\n")).toBe(true);
    const at = (pick: (w: (typeof report.windows)[number]) => number) =>
      report.windows.map((w, i) => ({ x: i + 1, y: pick(w) }));
    expect(readFileSync(join(outDir, "windows.svg"), "utf8")).toBe(
      frontierSvg(
        [
          { name: "escalation rate", points: at((w) => w.escalationRate), kind: "line" },
          { name: "accuracy vs apex alone", points: at((w) => w.accuracyVsApex), kind: "line" },
          { name: "saving", points: at((w) => w.saving), kind: "line" },
          { name: "kept error", points: at((w) => w.keptError), kind: "line" },
          {
            name: "expected kept error",
            points: [
              { x: 1, y: 0.1 },
              { x: 2, y: 0.1 },
            ],
            kind: "line",
          },
          { name: "flagged window", points: [{ x: 1, y: 1 }], kind: "points" },
        ],
        { title: "Traffic by window (2 queries)", xLabel: "Window", yLabel: "Rate" },
      ),
    );
    expect(readFileSync(join(outDir, "calibration.svg"), "utf8")).toBe(
      frontierSvg(
        [
          {
            name: "perfect calibration",
            points: [
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ],
            kind: "line",
          },
          {
            name: "router P_fail (IPW bins)",
            points: reliabilityBins(sampleReport).map((b) => ({ x: b.meanPFail, y: b.observedError })),
            kind: "points",
          },
        ],
        {
          title: "P_fail calibration on labelled traffic",
          xLabel: "Mean P_fail",
          xPercent: true,
          yLabel: "Observed error (IPW)",
        },
      ),
    );
    // By day (into a folder not made yet), no expected error: no expected line, no flag, null in the JSON; PNGs by
    // default.
    const dayDir = join(dir, "by", "day");
    const byDay = await writeTrafficReport(log, sampleReport, { outDir: dayDir, windows: { by: "day" } });
    expect(byDay.flagged).toEqual([]);
    const atDay = (pick: (w: (typeof byDay.windows)[number]) => number) =>
      byDay.windows.map((w, i) => ({ x: i + 1, y: pick(w) }));
    expect(readFileSync(join(dayDir, "windows.svg"), "utf8")).toBe(
      frontierSvg(
        [
          { name: "escalation rate", points: atDay((w) => w.escalationRate), kind: "line" },
          { name: "accuracy vs apex alone", points: atDay((w) => w.accuracyVsApex), kind: "line" },
          { name: "saving", points: atDay((w) => w.saving), kind: "line" },
          { name: "kept error", points: atDay((w) => w.keptError), kind: "line" },
          { name: "flagged window", points: [], kind: "points" },
        ],
        { title: "Traffic by window (UTC day)", xLabel: "Window", yLabel: "Rate" },
      ),
    );
    expect(JSON.parse(readFileSync(join(dayDir, "report.json"), "utf8")).expectedKeptError).toBeNull();
    expect(readdirSync(dayDir).sort()).toEqual([
      "calibration.png",
      "calibration.svg",
      "report.json",
      "report.md",
      "windows.png",
      "windows.svg",
    ]);
    expect(readFileSync(join(dayDir, "windows.png")).subarray(1, 4).toString()).toBe("PNG");
  });
});
