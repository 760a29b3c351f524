import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { EvalTraceLine } from "../../src/core/trace_schema.js";
import { loadRouter, parseRouterBundle, saveRouterBundle } from "../../src/router/bundle.js";
import { clippedRule, fitRuleOffset, monotoneConstraints, ruleOffsetMargin } from "../../src/router/rule_offset.js";
import { libXGBoostAvailable } from "../../src/router/train/libxgboost.js";
import { rocAuc } from "../../src/router/train/metrics.js";
import { trainRouter } from "../../src/router/train/index.js";
import { buildGsm8kTraces, TEST_FEATURE_NAMES } from "./gsm8k_traces.js";
import { missing } from "../helpers/requires.js";

describe("the agreement rule's offset", () => {
  it("is the fitted log-odds of the clipped 1 - vote_share, increasing as agreement falls", () => {
    expect(clippedRule(1, 0.02)).toBe(0.02);
    expect(clippedRule(0, 0.02)).toBe(0.98);
    expect(clippedRule(Number.NaN, 0.02)).toBe(0.98);
    expect(clippedRule(2 / 3, 0.02)).toBeCloseTo(1 / 3, 12);
    // Crowd errors where the vote is split: a positive slope.
    const shares = [1, 1, 1, 1, 1, 1, 2 / 3, 2 / 3, 2 / 3, 1 / 3, 1 / 3, 1 / 3];
    const labels = [0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 0];
    const offset = fitRuleOffset(shares, labels);
    expect(offset.slope).toBeGreaterThan(0);
    expect(offset.rows).toBe(12);
    const m = (v: number): number => ruleOffsetMargin(offset, v);
    expect(m(1 / 3)).toBeGreaterThan(m(2 / 3));
    expect(m(2 / 3)).toBeGreaterThan(m(1));
    const p = 1 / 3;
    expect(m(2 / 3)).toBe(Math.fround(offset.slope * Math.log(p / (1 - p)) + offset.intercept));
  });

  it("constrains agreement features downwards and disagreement features upwards", () => {
    expect(
      monotoneConstraints([
        "members_answered",
        "vote_share",
        "distinct_answers",
        "answer_entropy",
        "unanimous",
        "agrees_with_majority_2",
        "length_cv",
      ]),
    ).toBe("(0,-1,1,1,-1,-1,0)");
  });
});

describe.skipIf(missing(libXGBoostAvailable(), "libxgboost"))(
  "routers trained from the agreement rule (real libxgboost, real GSM8K)",
  () => {
    let traces: EvalTraceLine[];
    beforeAll(() => {
      traces = buildGsm8kTraces();
    });

    const rowsOf = (ts: readonly EvalTraceLine[]): Float64Array[] =>
      ts.map((t) => Float64Array.from(t.features, (v) => (v === null ? Number.NaN : v)));

    it("stores the offset in a version 3 bundle that loads and predicts like the trained router", () => {
      const { bundle, router } = trainRouter({ traces, seed: 1 });
      expect(bundle.version).toBe(3);
      expect(bundle.ruleOffset?.rule).toBe("agreement");
      expect(bundle.ruleOffset?.slope).toBeGreaterThan(0);
      expect(bundle.metadata.params?.monotone_constraints).toBe(monotoneConstraints(TEST_FEATURE_NAMES));
      const file = join(mkdtempSync(join(tmpdir(), "pyramid-offset-")), "router.json");
      saveRouterBundle(file, bundle);
      const loaded = loadRouter(file);
      const rows = rowsOf(traces.slice(0, 200));
      expect(Array.from(loaded.predictBatch(rows))).toEqual(Array.from(router.predictBatch(rows)));
      // Without the offset the trees alone predict something else: the offset is really applied.
      const { ruleOffset: _drop, ...bare } = bundle;
      const alone = loadRouter(
        (() => {
          const f = join(mkdtempSync(join(tmpdir(), "pyramid-offset-")), "bare.json");
          saveRouterBundle(f, parseRouterBundle(JSON.parse(JSON.stringify({ ...bare, version: 2 }))));
          return f;
        })(),
      );
      expect(Array.from(alone.predictBatch(rows))).not.toEqual(Array.from(router.predictBatch(rows)));
      expect(loaded.digest).not.toBe(alone.digest);
    }, 300_000);

    it("never raises P_fail when the vote share rises, and with 60 labels ranks like the rule", () => {
      const { router } = trainRouter({ traces: traces.slice(0, 60), seed: 2 });
      const v = TEST_FEATURE_NAMES.indexOf("vote_share");
      for (const row of rowsOf(traces.slice(100, 300))) {
        const low = Float64Array.from(row);
        const high = Float64Array.from(row);
        low[v] = 1 / 3;
        high[v] = 1;
        expect(router.predictRow(high)).toBeLessThanOrEqual(router.predictRow(low));
      }
      const rest = traces.slice(60);
      const labels = rest.map((t) => (t.crowdCorrect ? 0 : 1));
      const rule = rocAuc(
        rest.map((t) => 1 - (t.features[v] ?? 0)),
        labels,
      );
      const learned = rocAuc(router.predictBatch(rowsOf(rest)), labels);
      const today = rocAuc(
        trainRouter({
          traces: traces.slice(0, 60),
          seed: 2,
          startFromRule: false,
          monotone: false,
        }).router.predictBatch(rowsOf(rest)),
        labels,
      );
      expect(learned).toBeGreaterThan(rule - 0.02);
      expect(learned).toBeGreaterThan(today);
    }, 300_000);
  },
);
