import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RouterModelError } from "../../src/errors/index.js";
import { parseXGBoostNumber, XGBoostRouter } from "../../src/router/xgboost/index.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/xgboost");

interface Inputs {
  featureNames: string[];
  rows: Array<Array<number | null>>;
}
interface Predictions {
  probabilities: number[];
  margins: number[];
}

function readJson<T>(name: string): T {
  return JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as T;
}

function rowValues(row: Array<number | null>): number[] {
  return row.map((x) => (x === null ? Number.NaN : x));
}

/** The parts of XGBoost's JSON model the tests mutate. */
interface TreeJson {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  split_type: number[];
  default_left: Array<number | boolean>;
  [key: string]: unknown;
}
interface ModelJson {
  learner: {
    feature_names?: string[];
    feature_types?: string[];
    learner_model_param: Record<string, string>;
    objective: { name: string; [key: string]: unknown };
    gradient_booster: {
      name: string;
      model: { gbtree_model_param: Record<string, string>; tree_info: number[]; trees: TreeJson[] };
      [key: string]: unknown;
    };
  };
}

/** A fresh copy of the small golden model, to mutate for the error cases. */
function smallModel(): ModelJson {
  return readJson<ModelJson>("model.json");
}

describe("XGBoostRouter on the golden fixtures (made by libxgboost 1.7.4, see scripts/make_xgboost_fixture.ts)", () => {
  for (const [model, inputs, predictions] of [
    ["model.json", "inputs.json", "predictions.json"],
    ["model100.json", "inputs100.json", "predictions100.json"],
  ] as const) {
    it(`${model}: agrees with libxgboost within 1e-6 on every row, NaN rows and threshold rows included`, () => {
      const router = XGBoostRouter.fromFile(join(FIXTURES, model));
      const { featureNames, rows } = readJson<Inputs>(inputs);
      const expected = readJson<Predictions>(predictions);
      expect(rows.length).toBe(expected.probabilities.length);
      expect(rows.some((row) => row.every((x) => x === null))).toBe(true);
      let maxProbabilityError = 0;
      let maxMarginError = 0;
      rows.forEach((row, i) => {
        const values = rowValues(row);
        const p = router.predict({ names: featureNames, values });
        maxProbabilityError = Math.max(maxProbabilityError, Math.abs(p - expected.probabilities[i]));
        maxMarginError = Math.max(maxMarginError, Math.abs(router.predictMargin(values) - expected.margins[i]));
      });
      expect(maxProbabilityError).toBeLessThanOrEqual(1e-6);
      expect(maxMarginError).toBeLessThanOrEqual(1e-5);
      const batch = router.predictBatch(rows.map(rowValues));
      for (const [i, p] of batch.entries()) expect(Math.abs(p - expected.probabilities[i])).toBeLessThanOrEqual(1e-6);
    });
  }

  it("reads the model's metadata: base_score, feature names, tree count", () => {
    const router = XGBoostRouter.fromFile(join(FIXTURES, "model.json"));
    expect(router.baseScore).toBeCloseTo(0.3, 10);
    expect(router.featureNames).toEqual(["f0", "f1", "f2", "f3", "f4"]);
    expect(router.numTrees).toBe(25);
    expect(router.numFeatures).toBe(5);
    expect(router.presets).toBeUndefined();
  });

  it("routes a missing value along default_left and compares in float32 (x < threshold goes left)", () => {
    // A one-split tree: f0 < 0.1 (float32) -> leaf -1, else leaf +1; missing goes right.
    const model = smallModel();
    const tree = model.learner.gradient_booster.model.trees[0];
    Object.assign(tree, {
      left_children: [1, -1, -1],
      right_children: [2, -1, -1],
      parents: [2147483647, 0, 0],
      split_indices: [0, 0, 0],
      split_conditions: [0.1, -1, 1],
      split_type: [0, 0, 0],
      default_left: [0, 0, 0],
      base_weights: [0, -1, 1],
      loss_changes: [1, 0, 0],
      sum_hessian: [1, 1, 1],
      tree_param: { num_deleted: "0", num_feature: "5", num_nodes: "3", size_leaf_vector: "0" },
    });
    model.learner.gradient_booster.model.trees = [tree];
    model.learner.gradient_booster.model.tree_info = [0];
    model.learner.gradient_booster.model.gbtree_model_param.num_trees = "1";
    model.learner.learner_model_param.base_score = "5E-1";
    const router = XGBoostRouter.fromJSON(model);
    const margin = (x: number) => router.predictMargin([x, 0, 0, 0, 0]);
    expect(margin(0.05)).toBe(-1);
    // 0.1 as a double is below float32(0.1), but XGBoost reads the input as float32 first: equal, not less.
    expect(0.1 < Math.fround(0.1)).toBe(true);
    expect(margin(0.1)).toBe(1);
    expect(margin(Number.NaN)).toBe(1);
    tree.default_left = [1, 0, 0];
    expect(XGBoostRouter.fromJSON(model).predictMargin([Number.NaN, 0, 0, 0, 0])).toBe(-1);
    // Old JSON writes default_left as booleans.
    tree.default_left = [true, false, false];
    expect(XGBoostRouter.fromJSON(model).predictMargin([Number.NaN, 0, 0, 0, 0])).toBe(-1);
    expect(router.predictRow([0.05, 0, 0, 0, 0])).toBeCloseTo(1 / (1 + Math.E), 6);
  });

  it("sums every tree of num_parallel_tree > 1 models", () => {
    const model = smallModel();
    const router = XGBoostRouter.fromJSON(model);
    const doubled = smallModel();
    const m = doubled.learner.gradient_booster.model;
    m.trees = [...m.trees, ...structuredClone(m.trees)];
    m.tree_info = [...m.tree_info, ...m.tree_info];
    m.gbtree_model_param.num_trees = String(m.trees.length);
    m.gbtree_model_param.num_parallel_tree = "2";
    const row = [0.25, 10, 0.5, Number.NaN, 0.9];
    const base = router.predictMargin(row) - Math.fround(Math.log(0.3 / 0.7));
    expect(XGBoostRouter.fromJSON(doubled).predictMargin(row) - Math.fround(Math.log(0.3 / 0.7))).toBeCloseTo(
      2 * base,
      4,
    );
  });

  it('parses every base_score spelling: number, "3E-1", "[5E-1]"', () => {
    expect(parseXGBoostNumber("3E-1", "x")).toEqual([0.3]);
    expect(parseXGBoostNumber("[5E-1]", "x")).toEqual([0.5]);
    expect(parseXGBoostNumber(0.25, "x")).toEqual([0.25]);
    const model = smallModel();
    model.learner.learner_model_param.base_score = "[3E-1]";
    const a = XGBoostRouter.fromJSON(model).predictRow([0.5, 1, 0.5, 0.5, 0.5]);
    const b = XGBoostRouter.fromJSON(smallModel()).predictRow([0.5, 1, 0.5, 0.5, 0.5]);
    expect(a).toBe(b);
    expect(() => parseXGBoostNumber("abc", "x")).toThrow(RouterModelError);
  });
});

describe("XGBoostRouter errors", () => {
  const expectError = (build: () => unknown, pattern: RegExp) => {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RouterModelError);
    expect((error as Error).message).toMatch(pattern);
  };

  it("refuses gblinear and dart boosters", () => {
    const linear = smallModel();
    linear.learner.gradient_booster = {
      name: "gblinear",
      model: { weights: [0, 0, 0, 0, 0, 0] },
    } as unknown as ModelJson["learner"]["gradient_booster"];
    expectError(() => XGBoostRouter.fromJSON(linear), /booster "gblinear" is not supported/);
    const dart = smallModel();
    dart.learner.gradient_booster = {
      name: "dart",
      gbtree: dart.learner.gradient_booster,
      weight_drop: [],
    } as unknown as ModelJson["learner"]["gradient_booster"];
    expectError(() => XGBoostRouter.fromJSON(dart), /booster "dart" is not supported/);
  });

  it("refuses other objectives and multi-class models", () => {
    const regression = smallModel();
    regression.learner.objective = { name: "reg:squarederror", reg_loss_param: { scale_pos_weight: "1" } };
    expectError(() => XGBoostRouter.fromJSON(regression), /objective "reg:squarederror" is not supported/);
    const multi = smallModel();
    multi.learner.learner_model_param.num_class = "3";
    expectError(() => XGBoostRouter.fromJSON(multi), /multi-class/);
    const groups = smallModel();
    groups.learner.gradient_booster.model.tree_info[1] = 1;
    expectError(() => XGBoostRouter.fromJSON(groups), /output group 1: a multi-class model/);
  });

  it("refuses categorical splits and categorical features", () => {
    const split = smallModel();
    split.learner.gradient_booster.model.trees[2].split_type[0] = 1;
    expectError(() => XGBoostRouter.fromJSON(split), /trees\[2\]\.split_type: categorical splits are not supported/);
    const types = smallModel();
    types.learner.feature_types = ["float", "c", "float", "float", "float"];
    expectError(() => XGBoostRouter.fromJSON(types), /feature_types\[1\].*categorical/);
  });

  it("refuses malformed files, naming the field", () => {
    expectError(() => XGBoostRouter.fromJSON({ hello: 1 }), /^learner: .*not an XGBoost JSON model/);
    const truncated = smallModel();
    truncated.learner.gradient_booster.model.trees[3].right_children.pop();
    expectError(
      () => XGBoostRouter.fromJSON(truncated),
      /trees\[3\]\.right_children: .* entries but left_children has/,
    );
    const badChild = smallModel();
    badChild.learner.gradient_booster.model.trees[0].left_children[0] = 999;
    expectError(() => XGBoostRouter.fromJSON(badChild), /node 0 has child 999/);
    const cycle = smallModel();
    const t = cycle.learner.gradient_booster.model.trees[0];
    t.left_children[t.left_children[0]] = 0;
    t.right_children[t.left_children[0]] = 0;
    expectError(() => XGBoostRouter.fromJSON(cycle), /child 0|reached twice/);
    const badFeature = smallModel();
    badFeature.learner.gradient_booster.model.trees[0].split_indices[0] = 7;
    expectError(() => XGBoostRouter.fromJSON(badFeature), /splits on feature 7 but the model has 5 features/);
    const wrongCount = smallModel();
    wrongCount.learner.gradient_booster.model.gbtree_model_param.num_trees = "30";
    expectError(() => XGBoostRouter.fromJSON(wrongCount), /num_trees is 30 but the file holds 25 trees/);
    const badBase = smallModel();
    badBase.learner.learner_model_param.base_score = "1.5";
    expectError(() => XGBoostRouter.fromJSON(badBase), /base_score 1.5 is not a probability/);
    const dir = mkdtempSync(join(tmpdir(), "pyramid-xgb-"));
    writeFileSync(join(dir, "broken.json"), '{"learner": ');
    expectError(() => XGBoostRouter.fromFile(join(dir, "broken.json")), /broken\.json: not valid JSON/);
    expectError(() => XGBoostRouter.fromFile(join(dir, "absent.json")), /absent\.json: cannot read the router file/);
  });

  it("refuses a feature-count mismatch and differing feature names, naming the first difference", () => {
    const router = XGBoostRouter.fromJSON(smallModel(), { source: "model.json" });
    expectError(() => router.predictRow([1, 2, 3]), /got 3 feature values but the model has 5 features/);
    expectError(
      () => router.predict({ names: ["f0", "f1", "vote_share", "f3", "f4"], values: [0, 0, 0, 0, 0] }),
      /feature 2 is "vote_share" where the model expects "f2"/,
    );
    expectError(
      () => router.predict({ names: ["f0", "f1", "f2", "f3"], values: [0, 0, 0, 0] }),
      /4 features where the model expects 5 \(at 4: missing "f4"\)/,
    );
    expectError(
      () => router.predictBatch([{ names: ["f0", "f1", "f2", "f3", "f5"], values: [0, 0, 0, 0, 0] }]),
      /feature 4 is "f5"/,
    );
    expectError(
      () => XGBoostRouter.fromJSON(smallModel(), { featureNames: ["a", "b", "c", "d", "e"] }),
      /feature 0 is "a" where the model expects "f0"/,
    );
    expectError(
      () => XGBoostRouter.fromJSON(smallModel(), { featureNames: ["a"] }),
      /1 feature names given for a model with 5/,
    );
  });

  it("takes feature names from the options for a bare model saved without them", () => {
    const model = smallModel();
    delete model.learner.feature_names;
    expect(XGBoostRouter.fromJSON(model).featureNames).toBeUndefined();
    const named = XGBoostRouter.fromJSON(model, { featureNames: ["a", "b", "c", "d", "e"] });
    expect(named.featureNames).toEqual(["a", "b", "c", "d", "e"]);
    expect(named.predict({ names: ["a", "b", "c", "d", "e"], values: [0.5, 1, 0.5, 0.5, 0.5] })).toBe(
      XGBoostRouter.fromJSON(smallModel()).predictRow([0.5, 1, 0.5, 0.5, 0.5]),
    );
  });
});
