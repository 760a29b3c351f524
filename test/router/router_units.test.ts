import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RouterModelError } from "../../src/errors/index.js";
import { AgreementRouter } from "../../src/router/agreement.js";
import {
  loadRouter,
  parseRouterBundle,
  routerFromBundle,
  saveRouterBundle,
  serializeRouterBundle,
  type RouterBundle,
} from "../../src/router/bundle.js";
import { checkRouterMembers } from "../../src/router/member_check.js";
import {
  RULE_OFFSET_CLIP,
  clippedRule,
  fitRuleOffset,
  monotoneConstraints,
  monotoneDirection,
  ruleOffsetMargin,
  ruleOffsetSchema,
  ruleOffsetsOf,
  type RuleOffset,
} from "../../src/router/rule_offset.js";
import { fitPlatt } from "../../src/router/calibration/platt.js";
import { XGBoostRouter, firstDifference } from "../../src/router/xgboost/xgboost_router.js";
import { sigmoid } from "../../src/router/xgboost/forest.js";
import type { Router } from "../../src/router/types.js";
import { stumpModel } from "../helpers/stump_model.js";
import { thrownBy } from "../helpers/thrown.js";

function stumpBundle(overrides: Partial<RouterBundle> = {}): RouterBundle {
  return {
    format: "pyramid-moa-router",
    version: 3,
    featureNames: ["vote_share", "f1"],
    model: stumpModel(),
    presets: { economy: 0.6, balanced: 0.4, "baseline-match": 0.2 },
    metadata: {
      dataset: "unit",
      createdBy: "test",
      trainRows: 4,
      validationRows: 4,
      validation: { auc: 0.5, logloss: 0.7, presets: {} },
      importance: { vote_share: 1 },
    },
    ...overrides,
  };
}

describe("the agreement router (the default before any model is trained)", () => {
  it("predicts 1 - vote_share, and 1 when nobody answered; it reads vote_share only", () => {
    const router = new AgreementRouter();
    expect(router.readsFeatures).toEqual(["vote_share"]);
    expect(router.predict({ names: ["members_answered", "vote_share"], values: [3, 0.75] })).toBe(0.25);
    expect(router.predict({ names: ["vote_share"], values: [1] })).toBe(0);
    expect(router.predict({ names: ["vote_share"], values: [Number.NaN] })).toBe(1);
    expect(router.predict({ names: ["members_answered"], values: [3] })).toBe(1);
  });
});

describe("checkRouterMembers", () => {
  const trained = (memberNames?: string[]): Router => ({ predict: () => 0, memberNames });

  it("passes routers that record no names, the same members in order, or any members when allowed", () => {
    expect(() => checkRouterMembers(trained(), ["a", "b"], "router", false)).not.toThrow();
    expect(() => checkRouterMembers(trained(["a", "b"]), ["a", "b"], "router", false)).not.toThrow();
    expect(() => checkRouterMembers(trained(["a", "b"]), ["c"], "router", true)).not.toThrow();
  });

  it("refuses the same members in another order, saying to reorder them", () => {
    const error = thrownBy(() => checkRouterMembers(trained(["a", "b"]), ["b", "a"], "tiers[0].router", false));
    expect(error).toBeInstanceOf(RouterModelError);
    expect(error).toMatchObject({
      field: "tiers[0].router",
      message: expect.stringContaining(
        "the router was trained for the same members in another order: it expects [a, b] but this tier has [b, a]",
      ),
      fix: "list the members in the order the router was trained with (per-member features are positional)",
    });
  });

  it("refuses other members (another set, or another count), naming the way out", () => {
    for (const names of [["a", "c"], ["a"], ["a", "b", "c"], ["b", "a", "a"]]) {
      const error = thrownBy(() => checkRouterMembers(trained(["a", "b"]), names, "router", false));
      expect(error).toMatchObject({
        message: expect.stringContaining(
          `the router was trained for other members: it expects [a, b] but this tier has [${names.join(", ")}]`,
        ),
        fix: expect.stringContaining("allowRouterMemberMismatch: true (CLI: --allow-router-member-mismatch)"),
      });
    }
    // Same sizes, one name repeated: not the same set.
    expect(thrownBy(() => checkRouterMembers(trained(["a", "a"]), ["a", "b"], "r", false))).toMatchObject({
      message: expect.stringContaining("other members"),
    });
  });
});

describe("the agreement rule's offset, exactly", () => {
  it("clips the rule to [clip, 1 - clip] and reads a missing vote share as rule 1", () => {
    expect(RULE_OFFSET_CLIP).toBe(0.02);
    expect(clippedRule(0.5, 0.1)).toBe(0.5);
    expect(clippedRule(0.95, 0.1)).toBeCloseTo(0.1, 15);
    expect(clippedRule(0.05, 0.1)).toBeCloseTo(0.9, 15);
    expect(clippedRule(Number.NaN, 0.1)).toBe(0.9);
  });

  it("is slope * logit(rule) + intercept, rounded to float32", () => {
    const offset: RuleOffset = {
      rule: "agreement",
      feature: "vote_share",
      clip: 0.02,
      slope: 1.5,
      intercept: -0.25,
      rows: 3,
    };
    expect(ruleOffsetMargin(offset, 0.8)).toBe(Math.fround(1.5 * Math.log(0.2 / 0.8) - 0.25));
    expect(ruleOffsetMargin(offset, 1)).toBe(Math.fround(1.5 * Math.log(0.02 / 0.98) - 0.25));
    // Row-major matrix of 3 columns, vote share in column 1; rows 2 and 0 in that order.
    const data = Float32Array.from([9, 0.5, 9, 9, 0.75, 9, 9, 0.25, 9]);
    expect([...ruleOffsetsOf(offset, data, 3, 1, [2, 0])]).toEqual([
      ruleOffsetMargin(offset, Math.fround(0.25)),
      ruleOffsetMargin(offset, 0.5),
    ]);
    expect(ruleOffsetMargin(offset, 0.5)).toBe(-0.25);
  });

  it("fits Platt's logistic regression of the hard labels on the clipped rule, slope kept >= 0", () => {
    const shares = [1, 1, 1, 0.5, 0.5, Number.NaN];
    const labels = [0, 0.4, 1, 0.6, 1, 1];
    const offset = fitRuleOffset(shares, labels);
    // Labels >= 0.5 count as errors; NaN shares are rule 1 (clipped to 0.98).
    const expected = fitPlatt([0.02, 0.02, 0.02, 0.5, 0.5, 0.98], [0, 0, 1, 1, 1, 1]);
    expect(offset).toEqual({
      rule: "agreement",
      feature: "vote_share",
      clip: 0.02,
      slope: expected.a,
      intercept: expected.b,
      rows: 6,
    });
    expect(ruleOffsetSchema.parse(offset)).toEqual(offset);
    // Errors where the crowd agrees: Platt's fit keeps its smallest positive slope.
    expect(fitRuleOffset([1, 1, 0.25, 0.25], [1, 1, 0, 0]).slope).toBeGreaterThanOrEqual(0);
    expect(thrownBy(() => fitRuleOffset([], []))).toMatchObject({
      field: "ruleOffset",
      message: expect.stringContaining("no rows to fit the agreement rule's offset on"),
    });
  });

  it("stores only a valid offset (clip in (0, 0.5), slope >= 0, positive rows, no extra keys)", () => {
    const good = { rule: "agreement", feature: "vote_share", clip: 0.02, slope: 0, intercept: -1, rows: 1 };
    expect(ruleOffsetSchema.safeParse(good).success).toBe(true);
    for (const bad of [
      { ...good, clip: 0 },
      { ...good, clip: 0.5 },
      { ...good, slope: -0.1 },
      { ...good, rows: 0 },
      { ...good, rule: "other" },
      { ...good, feature: "unanimous" },
      { ...good, extra: 1 },
    ])
      expect(ruleOffsetSchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it("knows the monotone direction of each agreement and disagreement feature", () => {
    for (const name of [
      "vote_share",
      "unanimous",
      "pairwise_similarity",
      "math_key_vote_share",
      "behaviour_cluster_share",
      "behaviour_pairwise_agreement",
      "agrees_with_majority_0",
      "agrees_with_majority_12",
    ])
      expect(monotoneDirection(name), name).toBe(-1);
    expect(monotoneDirection("distinct_answers")).toBe(1);
    expect(monotoneDirection("answer_entropy")).toBe(1);
    for (const name of ["agrees_with_majority_", "agrees_with_majority_1x", "xagrees_with_majority_1", "length_cv"])
      expect(monotoneDirection(name), name).toBe(0);
    expect(monotoneConstraints([])).toBe("()");
    expect(monotoneConstraints(["pairwise_similarity", "math_key_vote_share"])).toBe("(-1,-1)");
  });
});

describe("the XGBoost router's options", () => {
  it("predicts the stump exactly, from the rule's offset when it has one", () => {
    const router = XGBoostRouter.fromJSON(stumpModel());
    expect(router.predictMargin([0.2, 0])).toBe(-1);
    expect(router.predictMargin([0.7, 0])).toBe(1);
    expect(router.predictMargin([Number.NaN, 0])).toBe(-1);
    expect(router.predictRaw([0.7, 0])).toBe(sigmoid(1));
    const offset: RuleOffset = {
      rule: "agreement",
      feature: "vote_share",
      clip: 0.02,
      slope: 2,
      intercept: 0.5,
      rows: 9,
    };
    const ruled = XGBoostRouter.fromJSON(stumpModel(), { ruleOffset: offset });
    expect(ruled.ruleOffset).toBe(offset);
    expect(ruled.predictMargin([0.7, 0])).toBe(Math.fround(ruleOffsetMargin(offset, Math.fround(0.7)) + 1));
    expect(ruled.predictRow([0.2, 0])).toBe(sigmoid(Math.fround(ruleOffsetMargin(offset, Math.fround(0.2)) - 1)));
    // The offset reads the vote share wherever it is among the features.
    const swapped = XGBoostRouter.fromJSON(stumpModel(["f0", "vote_share"]), { ruleOffset: offset });
    expect(swapped.predictMargin([0.7, 0.2])).toBe(Math.fround(ruleOffsetMargin(offset, Math.fround(0.2)) + 1));
    expect(
      thrownBy(() => XGBoostRouter.fromJSON(stumpModel(["f0", "f1"]), { ruleOffset: offset, source: "r.json" })),
    ).toMatchObject({
      field: "r.json: ruleOffset",
      message: expect.stringContaining('the router starts from the agreement rule but has no "vote_share" feature'),
    });
  });

  it("applies its calibration in predict, predictRow and predictBatch, not in predictRaw", () => {
    const calibration = { method: "platt" as const, a: 2, b: 1, fittedOn: "unit", rows: 4 };
    const router = XGBoostRouter.fromJSON(stumpModel(), { calibration });
    const raw = sigmoid(1);
    const p = 1 / (1 + Math.exp(-(2 * Math.log(raw / (1 - raw)) + 1)));
    expect(router.predictRaw([0.7, 0])).toBe(raw);
    expect(router.predictRow([0.7, 0])).toBeCloseTo(p, 12);
    expect(router.predict({ names: ["vote_share", "f1"], values: [0.7, 0] })).toBeCloseTo(p, 12);
    const batch = router.predictBatch([{ names: ["vote_share", "f1"], values: [0.7, 0] }, [0.7, 0]]);
    expect(batch[0]).toBeCloseTo(p, 12);
    expect(batch[1]).toBeCloseTo(p, 12);
  });

  it("keeps a digest that changes with what the predictions depend on", () => {
    const plain = XGBoostRouter.fromJSON(stumpModel());
    expect(plain.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(XGBoostRouter.fromJSON(stumpModel()).digest).toBe(plain.digest);
    const offset: RuleOffset = {
      rule: "agreement",
      feature: "vote_share",
      clip: 0.02,
      slope: 1,
      intercept: 0,
      rows: 1,
    };
    const digests = [
      plain.digest,
      XGBoostRouter.fromJSON(stumpModel(), { ruleOffset: offset }).digest,
      XGBoostRouter.fromJSON(stumpModel(), { presets: { balanced: 0.5 } }).digest,
      XGBoostRouter.fromJSON(stumpModel(), { memberNames: ["a", "b"] }).digest,
      XGBoostRouter.fromJSON(stumpModel(["a", "b"])).digest,
    ];
    expect(new Set(digests).size).toBe(digests.length);
    const router = XGBoostRouter.fromJSON(stumpModel(), { memberNames: ["a", "b"], presets: { balanced: 0.5 } });
    expect(router.memberNames).toEqual(["a", "b"]);
    expect(Object.isFrozen(router.memberNames)).toBe(true);
    expect(Object.isFrozen(router.presets)).toBe(true);
    expect(router).toMatchObject({ numFeatures: 2, numTrees: 1, baseScore: 0.5, objective: "binary:logistic" });
  });

  it("checks names once per names array, and again for a new array", () => {
    const router = XGBoostRouter.fromJSON(stumpModel());
    const names = ["vote_share", "f1"];
    expect(router.predict({ names, values: [0.7, 0] })).toBe(sigmoid(1));
    expect(router.predict({ names, values: [0.2, 0] })).toBe(sigmoid(-1));
    expect(() => router.predict({ names: ["f1", "vote_share"], values: [0.7, 0] })).toThrow(
      /feature 0 is "f1" where the model expects "vote_share"/,
    );
  });

  it("describes the first difference of two name lists", () => {
    expect(firstDifference(["a", "b"], ["a", "b"])).toBeUndefined();
    expect(firstDifference(["a", "b"], ["a", "c"])).toBe('feature 1 is "c" where the model expects "b"');
    expect(firstDifference(["a", "b"], ["a"])).toBe('1 features where the model expects 2 (at 1: missing "b")');
    expect(firstDifference(["a"], ["a", "b", "c"])).toBe(
      '3 features where the model expects 1 (at 1: unexpected extra feature "b")',
    );
  });
});

describe("router bundles, field by field", () => {
  it("builds the router with the bundle's members (only a list of strings), presets, calibration and offset", () => {
    const offset: RuleOffset = {
      rule: "agreement",
      feature: "vote_share",
      clip: 0.02,
      slope: 1,
      intercept: 0,
      rows: 4,
    };
    const calibration = { method: "platt" as const, a: 1, b: 0.5, fittedOn: "unit", rows: 4 };
    const bundle = stumpBundle({ ruleOffset: offset, pFailCalibration: calibration });
    bundle.metadata.members = ["m0", "m1"];
    const router = routerFromBundle(parseRouterBundle(bundle), "b.json");
    expect(router.memberNames).toEqual(["m0", "m1"]);
    expect(router.presets).toEqual({ economy: 0.6, balanced: 0.4, "baseline-match": 0.2 });
    expect(router.calibration).toEqual(calibration);
    expect(router.ruleOffset).toEqual(offset);
    expect(router.featureNames).toEqual(["vote_share", "f1"]);
    const mixed = stumpBundle();
    mixed.metadata.members = ["m0", 1];
    expect(routerFromBundle(mixed).memberNames).toBeUndefined();
    const notList = stumpBundle();
    notList.metadata.members = "m0";
    expect(routerFromBundle(notList).memberNames).toBeUndefined();
    // The source names the file in later errors.
    expect(() => routerFromBundle(stumpBundle(), "b.json").predictRow([1])).toThrow(
      expect.objectContaining({ field: "b.json" }),
    );
  });

  it("refuses bundles naming the field under the source, with the first issue's message", () => {
    const error = thrownBy(() => parseRouterBundle({ ...stumpBundle(), featureNames: [] }, "r.json"));
    expect(error).toBeInstanceOf(RouterModelError);
    expect(error).toMatchObject({
      field: "r.json: featureNames",
      fix: "write bundles with `pyramid-moa train` (or saveRouterBundle).",
    });
    expect((error as Error).message).toMatch(/^r\.json: featureNames: invalid router bundle: .+\. Fix: /);
    expect(thrownBy(() => parseRouterBundle([]))).toMatchObject({ field: "router bundle: (root)" });
    const bad = (patch: Record<string, unknown>, field: string): void => {
      const e = thrownBy(() => parseRouterBundle({ ...stumpBundle(), ...patch }, "r.json"));
      expect(e, field).toMatchObject({ field: `r.json: ${field}` });
    };
    bad({ presets: { economy: -0.1, balanced: 0.4, "baseline-match": 0.2 } }, "presets.economy");
    bad({ presets: { economy: 0.1, balanced: 0.4, "baseline-match": 0.2, extra: 2 } }, "presets.extra");
    bad({ version: 0 }, "version");
    bad({ format: "pyramid-moa" }, "format");
    bad({ metadata: { ...stumpBundle().metadata, trainRows: -1 } }, "metadata.trainRows");
    bad({ metadata: { ...stumpBundle().metadata, validationRows: 1.5 } }, "metadata.validationRows");
    bad(
      { metadata: { ...stumpBundle().metadata, validation: { auc: 0.5, logloss: 1, folds: 1 } } },
      "metadata.validation.folds",
    );
    bad(
      {
        metadata: {
          ...stumpBundle().metadata,
          validation: { auc: 0.5, logloss: 1, bootstrap: { resamples: 10, seed: 1, level: 1 } },
        },
      },
      "metadata.validation.bootstrap.level",
    );
    bad(
      {
        metadata: {
          ...stumpBundle().metadata,
          validation: { auc: 0.5, logloss: 1, bootstrap: { resamples: 0, seed: 1, level: 0.9 } },
        },
      },
      "metadata.validation.bootstrap.resamples",
    );
    bad(
      {
        metadata: {
          ...stumpBundle().metadata,
          validation: {
            auc: 0.5,
            logloss: 1,
            presets: {
              balanced: {
                threshold: 2,
                feasible: true,
                escalationRate: 0,
                accuracy: 0,
                costSaving: 0,
                recallOfCrowdErrors: 0,
              },
            },
          },
        },
      },
      "metadata.validation.presets.balanced.threshold",
    );
    // Every version this code reads loads.
    for (const version of [1, 2, 3] as const) expect(parseRouterBundle(stumpBundle({ version })).version).toBe(version);
  });

  it("refuses a bundle whose featureNames do not match a model without names (count) or with names (first difference)", () => {
    const bare = stumpModel();
    delete (bare.learner as { feature_names?: string[] }).feature_names;
    expect(parseRouterBundle(stumpBundle({ model: bare, featureNames: ["x", "y"] })).featureNames).toEqual(["x", "y"]);
    expect(
      thrownBy(() => parseRouterBundle(stumpBundle({ model: bare, featureNames: ["x"] }), "r.json")),
    ).toMatchObject({
      field: "r.json: featureNames",
      message: expect.stringContaining(": 1 featureNames for a model with 2 features. Fix"),
      fix: "the bundle is inconsistent; train it again with `pyramid-moa train`.",
    });
    expect(
      thrownBy(() => parseRouterBundle(stumpBundle({ featureNames: ["vote_share", "g"] }), "r.json")),
    ).toMatchObject({
      field: "r.json: featureNames",
      message: expect.stringContaining(
        `: the bundle's featureNames differ from its model's: feature 1 is "g" where the model expects "f1". Fix`,
      ),
    });
    expect(thrownBy(() => parseRouterBundle(stumpBundle({ model: { learner: 1 } }), "r.json"))).toMatchObject({
      message: expect.stringContaining("r.json model is not an XGBoost JSON model"),
    });
  });

  it("serializes NaN and infinite figures as null at any depth, the model on one line, and saves into new folders", () => {
    const bundle = stumpBundle();
    bundle.metadata.validation.logloss = Number.NaN;
    bundle.metadata.validation.presets = {
      balanced: {
        threshold: 0.4,
        feasible: true,
        escalationRate: Number.POSITIVE_INFINITY,
        accuracy: Number.NaN,
        costSaving: 0.25,
        recallOfCrowdErrors: null,
        intervals: {
          accuracy: [Number.NaN, 0.9],
          costSaving: [0.1, 0.2],
          escalationRate: [null, null],
          accuracyMinusOracle: [-0.1, 0],
        },
      },
    };
    const text = serializeRouterBundle(bundle);
    expect(text.endsWith("}\n")).toBe(true);
    const parsed = JSON.parse(text) as RouterBundle;
    expect(parsed.metadata.validation.logloss).toBeNull();
    expect(parsed.metadata.validation.presets?.balanced).toMatchObject({
      escalationRate: null,
      accuracy: null,
      costSaving: 0.25,
      intervals: { accuracy: [null, 0.9], costSaving: [0.1, 0.2] },
    });
    expect(parsed.model).toEqual(stumpModel());
    const modelLines = text.split("\n").filter((line) => line.includes('"learner"'));
    expect(modelLines).toHaveLength(1);
    expect(modelLines[0]).toBe(`  "model": ${JSON.stringify(stumpModel())}`);
    const dir = mkdtempSync(join(tmpdir(), "pyramid-units-"));
    const path = join(dir, "a", "b", "router.json");
    saveRouterBundle(path, bundle);
    expect(readFileSync(path, "utf8")).toBe(text);
    expect(loadRouter(path).predictRaw([0.7, 0])).toBe(sigmoid(1));
    // An invalid bundle is refused before anything is written.
    const other = join(dir, "c", "router.json");
    expect(() =>
      saveRouterBundle(other, { ...bundle, presets: { economy: 2, balanced: 0, "baseline-match": 0 } }),
    ).toThrow(RouterModelError);
    expect(() => readFileSync(other)).toThrow();
  });

  it("loads a bare model or a bundle, and refuses other JSON values naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "pyramid-units-"));
    const path = join(dir, "router.json");
    saveRouterBundle(path, stumpBundle());
    expect(loadRouter(path).presets).toEqual({ economy: 0.6, balanced: 0.4, "baseline-match": 0.2 });
    const e = thrownBy(() => {
      const file = join(dir, "list.json");
      writeJson(file, [1, 2]);
      loadRouter(file);
    });
    expect((e as Error).message).toContain(": neither a router bundle nor an XGBoost JSON model. Fix: ");
    expect((e as RouterModelError).field).toMatch(/list\.json$/);
    const nul = join(dir, "null.json");
    writeJson(nul, null);
    expect(() => loadRouter(nul)).toThrow(/neither a router bundle/);
    const format = join(dir, "format.json");
    writeJson(format, { format: 3 });
    expect(thrownBy(() => loadRouter(format))).toMatchObject({
      field: `${format}: format`,
      message: expect.stringContaining(": unknown router file format 3. Fix"),
      fix: 'pass a "pyramid-moa-router" bundle or a bare XGBoost JSON model.',
    });
  });
});

function writeJson(path: string, value: unknown): void {
  writeFileSync(path, JSON.stringify(value));
}
