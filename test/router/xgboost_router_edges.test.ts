import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RouterModelError } from "../../src/errors/index.js";
import type { RuleOffset } from "../../src/router/rule_offset.js";
import { compileForest, sigmoid } from "../../src/router/xgboost/forest.js";
import { parseXGBoostModel } from "../../src/router/xgboost/model_json.js";
import { type RouterRow, XGBoostRouter } from "../../src/router/xgboost/xgboost_router.js";
import { thrownBy } from "../helpers/thrown.js";

// The XGBoostRouter's edges that users meet: which features a schedule may settle on, the errors (field and fix) of
// each wrong input, what the digest depends on, and the names check's cache. Found by mutation testing (#29).

/**
 * A one-tree model over `names`: `x[column] < 0.5` goes left to leaf -1, else right to leaf +1 (missing goes left),
 * base_score 0.5 (margin = the leaf). `names` undefined: a bare model saved without feature names (2 features).
 */
function stump(names: string[] | undefined, column: number): Record<string, unknown> {
  return {
    learner: {
      ...(names ? { feature_names: names } : {}),
      learner_model_param: { base_score: "5E-1", num_feature: String(names?.length ?? 2) },
      objective: { name: "binary:logistic" },
      gradient_booster: {
        name: "gbtree",
        model: {
          gbtree_model_param: { num_parallel_tree: "1", num_trees: "1" },
          tree_info: [0],
          trees: [
            {
              left_children: [1, -1, -1],
              right_children: [2, -1, -1],
              split_indices: [column, 0, 0],
              split_conditions: [0.5, -1, 1],
              default_left: [1, 0, 0],
              split_type: [0, 0, 0],
            },
          ],
        },
      },
    },
  };
}

const OFFSET: RuleOffset = { rule: "agreement", feature: "vote_share", clip: 0.02, slope: 1, intercept: 0, rows: 4 };

describe("XGBoostRouter.readsFeatures: the split features, plus vote_share under a rule offset, in column order", () => {
  it("names only the columns the trees split on (column 0 or a later one)", () => {
    expect(XGBoostRouter.fromJSON(stump(["vote_share", "f1"], 0)).readsFeatures).toEqual(["vote_share"]);
    expect(XGBoostRouter.fromJSON(stump(["vote_share", "f1"], 1)).readsFeatures).toEqual(["f1"]);
    expect(XGBoostRouter.fromJSON(stump(["f0", "f1", "f2"], 2)).readsFeatures).toEqual(["f2"]);
    expect(Object.isFrozen(XGBoostRouter.fromJSON(stump(["f0", "f1"], 1)).readsFeatures)).toBe(true);
  });

  it("adds the rule offset's vote_share column wherever it is, and nothing else", () => {
    const first = XGBoostRouter.fromJSON(stump(["vote_share", "f1", "f2"], 2), { ruleOffset: OFFSET });
    expect(first.readsFeatures).toEqual(["vote_share", "f2"]);
    const middle = XGBoostRouter.fromJSON(stump(["f0", "vote_share", "f2"], 0), { ruleOffset: OFFSET });
    expect(middle.readsFeatures).toEqual(["f0", "vote_share"]);
  });

  it("is undefined for a bare model without feature names", () => {
    expect(XGBoostRouter.fromJSON(stump(undefined, 1)).readsFeatures).toBeUndefined();
  });
});

describe("XGBoostRouter errors: the field and the fix of each", () => {
  it("refuses a rule offset on a bare model (no vote_share to read)", () => {
    expect(thrownBy(() => XGBoostRouter.fromJSON(stump(undefined, 0), { ruleOffset: OFFSET }))).toMatchObject({
      field: "model: ruleOffset",
      message: expect.stringContaining('has no "vote_share" feature'),
      fix: "use a bundle whose features include vote_share.",
    });
  });

  it("refuses given feature names of another count, or differing from the model's", () => {
    expect(thrownBy(() => XGBoostRouter.fromJSON(stump(["a", "b"], 0), { featureNames: ["a"] }))).toMatchObject({
      field: "featureNames",
      message: expect.stringContaining("1 feature names given for a model with 2 features"),
      fix: "pass exactly the names of the features the model was trained on, in order.",
    });
    expect(thrownBy(() => XGBoostRouter.fromJSON(stump(["a", "b"], 0), { featureNames: ["a", "c"] }))).toMatchObject({
      field: "featureNames",
      message: expect.stringContaining('feature 1 is "c" where the model expects "b"'),
      fix: "use the model's own feature names (or omit featureNames).",
    });
  });

  it("names the source ('model' by default) in a parse error, a wrong row and a wrong names list", () => {
    expect((thrownBy(() => XGBoostRouter.fromJSON({ learner: 1 })) as Error).message).toMatch(
      /^learner: model is not an XGBoost JSON model/,
    );
    expect((thrownBy(() => XGBoostRouter.fromJSON({ learner: 1 }, { source: "r.json" })) as Error).message).toMatch(
      /^learner: r\.json is not an XGBoost JSON model/,
    );
    const router = XGBoostRouter.fromJSON(stump(["a", "b"], 0));
    expect(thrownBy(() => router.predictRow([1]))).toMatchObject({
      field: "model",
      message: expect.stringContaining("got 1 feature values but the model has 2 features"),
      fix: "compute the features the router was trained on (see router.featureNames), in the same order.",
    });
    expect(thrownBy(() => router.predict({ names: ["b", "a"], values: [0, 0] }))).toMatchObject({
      field: "model",
      message: expect.stringContaining('feature 0 is "b" where the model expects "a"'),
      fix: "use a router trained on the pyramid's features (same names, same order), or retrain it with `pyramid-moa train`.",
    });
  });

  it("refuses a row that is not a list of values (null or a number from untyped code) with the count error", () => {
    const router = XGBoostRouter.fromJSON(stump(["a", "b"], 0), { source: "r.json" });
    for (const row of [null, 7]) {
      expect(
        thrownBy(() => router.predictBatch([row as unknown as RouterRow])),
        String(row),
      ).toMatchObject({
        name: "RouterModelError",
        field: "r.json",
        message: expect.stringContaining("got undefined feature values but the model has 2 features"),
      });
    }
  });

  it("reads a model file with its options kept and the path as the source; names the fix of a bad file", () => {
    const dir = mkdtempSync(join(tmpdir(), "pyramid-xgb-edges-"));
    const path = join(dir, "stump.json");
    writeFileSync(path, JSON.stringify(stump(["a", "b"], 0)));
    const router = XGBoostRouter.fromFile(path, { presets: { balanced: 0.5 } });
    expect(router.presets).toEqual({ balanced: 0.5 });
    expect(router.predictRow([0.7, 0])).toBe(sigmoid(1));
    expect(thrownBy(() => router.predictRow([1]))).toMatchObject({ field: path });
    const named = XGBoostRouter.fromFile(path, { source: "given" });
    expect(thrownBy(() => named.predictRow([1]))).toMatchObject({ field: "given" });
    writeFileSync(join(dir, "broken.json"), "{");
    expect(thrownBy(() => XGBoostRouter.fromFile(join(dir, "broken.json")))).toMatchObject({
      name: "RouterModelError",
      field: join(dir, "broken.json"),
      fix: "pass the JSON file written by XGBoost's save_model or by `pyramid-moa train`.",
    });
    expect(thrownBy(() => XGBoostRouter.fromFile(join(dir, "absent.json")))).toMatchObject({
      field: join(dir, "absent.json"),
      fix: "check the path.",
    });
  });
});

describe("XGBoostRouter identity and the names check", () => {
  it("has a digest that tells apart routers with other member names or other presets", () => {
    const model = stump(["a", "b"], 0);
    const digest = (options: { memberNames?: string[]; presets?: Record<string, number> }): string =>
      XGBoostRouter.fromJSON(model, options).digest;
    expect(digest({ memberNames: ["m0", "m1"] })).not.toBe(digest({ memberNames: ["m1", "m0"] }));
    expect(digest({ presets: { balanced: 0.5 } })).not.toBe(digest({ presets: { balanced: 0.4 } }));
    expect(digest({ presets: { balanced: 0.5 } })).toBe(digest({ presets: { balanced: 0.5 } }));
  });

  it("predicts a named vector with a bare model (no names to check against)", () => {
    const router = XGBoostRouter.fromJSON(stump(undefined, 0));
    expect(router.predict({ names: ["anything", "else"], values: [0.7, 0] })).toBe(sigmoid(1));
  });

  it("checks a names array once: the hot path does not compare the same array again", () => {
    const router = XGBoostRouter.fromJSON(stump(["a", "b"], 0));
    const names = ["a", "b"];
    expect(router.predict({ names, values: [0.2, 0] })).toBe(sigmoid(-1));
    // The same array object, changed in place after its check, is trusted (names arrays are built once per tier).
    names[0] = "z";
    expect(router.predict({ names, values: [0.7, 0] })).toBe(sigmoid(1));
    // A new array is checked.
    expect(() => router.predict({ names: ["z", "b"], values: [0.7, 0] })).toThrow(RouterModelError);
  });
});

describe("compileForest: the flat layout forestMargin walks", () => {
  it("lays each tree out depth-first, leaves pointing to themselves, roots at each tree's first node", () => {
    const model = stump(["f0", "f1"], 0);
    const trees = (
      model.learner as {
        gradient_booster: {
          model: { trees: unknown[]; tree_info: number[]; gbtree_model_param: Record<string, string> };
        };
      }
    ).gradient_booster.model;
    // Tree 0: node 0 splits f0 < 0.5 (missing left) into node 1 and leaf 2 (value 1); node 1 splits f1 < 0.25 (missing
    // right) into leaves 3 (-1) and 4 (0.5). Tree 1: a single leaf 0.25.
    trees.trees = [
      {
        left_children: [1, 3, -1, -1, -1],
        right_children: [2, 4, -1, -1, -1],
        split_indices: [0, 1, 0, 0, 0],
        split_conditions: [0.5, 0.25, 1, -1, 0.5],
        default_left: [1, 0, 0, 0, 0],
        split_type: [0, 0, 0, 0, 0],
      },
      {
        left_children: [-1],
        right_children: [-1],
        split_indices: [0],
        split_conditions: [0.25],
        default_left: [0],
        split_type: [0],
      },
    ];
    trees.tree_info = [0, 0];
    trees.gbtree_model_param.num_trees = "2";
    const forest = compileForest(parseXGBoostModel(model));
    // Depth-first order: node 0, node 1, leaf 3, leaf 4, leaf 2; then tree 1's leaf.
    expect([...forest.roots]).toEqual([0, 5]);
    expect([...forest.feature]).toEqual([0, 1, -1, -1, -1, -1]);
    expect([...forest.value]).toEqual([0.5, 0.25, -1, 0.5, 1, 0.25]);
    expect([...forest.children]).toEqual([1, 4, 2, 3, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect([...forest.missing]).toEqual([1, 3, 2, 3, 4, 5]);
    expect(forest.baseMargin).toBe(-0); // -log(1 / 0.5 - 1) = -log(1)
    expect(forest.numFeature).toBe(2);
  });
});
