import { describe, expect, it } from "vitest";
import { RouterModelError } from "../../src/errors/index.js";
import { parseXGBoostModel, parseXGBoostNumber } from "../../src/router/xgboost/model_json.js";
import { thrownBy } from "../helpers/thrown.js";

// The XGBoost JSON reader's refusals, each with the field it names and the fix it gives (what a user reads to repair
// the file), and the edges of its number reader. Found by mutation testing (#29); model_json_exact.test.ts has the
// messages.

const FIX_SUPPORTED =
  "train the router with XGBoost's gbtree booster and objective binary:logistic on numerical features (e.g. with `pyramid-moa train`).";
const CORRUPT = "the file is corrupt; save the model again.";
const TRUNCATED = "the file is truncated or corrupt; save the model again.";
const CATEGORICAL = "encode categorical features as numbers (one-hot or ordinal) and train without enable_categorical.";
const TREES = "learner.gradient_booster.model.trees[0]";

/** A one-tree model over 2 features: node 0 splits feature 1 into leaves -1 and 1. */
function model(): {
  learner: {
    feature_types?: string[];
    learner_model_param: Record<string, unknown>;
    objective: { name: string };
    gradient_booster: { name: unknown; model: Record<string, unknown> & { trees: Record<string, unknown>[] } };
  };
} {
  return {
    learner: {
      learner_model_param: { base_score: "5E-1", num_feature: "2" },
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
              split_indices: [1, 0, 0],
              split_conditions: [0.5, -1, 1],
              default_left: [1, 0, 0],
            },
          ],
        },
      },
    },
  };
}

function refused(edit: (m: ReturnType<typeof model>) => void): RouterModelError {
  const m = model();
  edit(m);
  const error = thrownBy(() => parseXGBoostModel(m, "m.json"));
  expect(error).toBeInstanceOf(RouterModelError);
  return error as RouterModelError;
}

const tree0 = (m: ReturnType<typeof model>) => m.learner.gradient_booster.model.trees[0];

describe("parseXGBoostModel: the field and the fix of each refusal", () => {
  it("reads a one-feature model (num_feature 1 is enough)", () => {
    const m = model();
    m.learner.learner_model_param.num_feature = "1";
    tree0(m).split_indices = [0, 0, 0];
    expect(parseXGBoostModel(m).numFeature).toBe(1);
  });

  it("gives the supported-model fix for an unsupported booster, objective or output", () => {
    expect(refused((m) => (m.learner.gradient_booster.name = "dart"))).toMatchObject({ fix: FIX_SUPPORTED });
    expect(refused((m) => (m.learner.objective.name = "reg:squarederror"))).toMatchObject({ fix: FIX_SUPPORTED });
    // A vector base_score: a multi-output model.
    expect(refused((m) => (m.learner.learner_model_param.base_score = "[5E-1,5E-1]"))).toMatchObject({
      field: "learner.learner_model_param.base_score",
      message: expect.stringContaining("expected one value, got 2 (a multi-output model)."),
      fix: FIX_SUPPORTED,
    });
    for (const key of ["num_class", "num_target", "num_feature"]) {
      expect(
        refused((m) => (m.learner.learner_model_param[key] = "[1,2]")),
        key,
      ).toMatchObject({
        field: `learner.learner_model_param.${key}`,
        message: expect.stringContaining("expected one value, got 2"),
      });
    }
    expect(
      refused((m) => (m.learner.gradient_booster.model.gbtree_model_param = { num_trees: "[1,1]" })),
    ).toMatchObject({ field: "learner.gradient_booster.model.gbtree_model_param.num_trees" });
    // Output group 0 is the only one: a tree of group 1 in first place is refused too.
    expect(refused((m) => (m.learner.gradient_booster.model.tree_info = [1]))).toMatchObject({
      field: "learner.gradient_booster.model.tree_info",
      message: expect.stringContaining("tree 0 belongs to output group 1"),
      fix: FIX_SUPPORTED,
    });
  });

  it("says a schema failure is not an XGBoost model, with the save_model fix; a booster name must be a string", () => {
    expect(refused((m) => (m.learner.gradient_booster.name = 5))).toMatchObject({
      field: "learner.gradient_booster.name",
      message: expect.stringContaining("m.json is not an XGBoost JSON model: "),
      fix: 'pass the JSON written by XGBoost\'s save_model("model.json") / XGBoosterSaveModel, or a pyramid-moa router bundle.',
    });
  });

  it("gives the categorical fix for categorical features and splits", () => {
    expect(refused((m) => (m.learner.feature_types = ["float", "c"]))).toMatchObject({ fix: CATEGORICAL });
    expect(refused((m) => (tree0(m).split_type = [1, 0, 0]))).toMatchObject({ fix: CATEGORICAL });
  });

  it("gives the corrupt-file fix for broken trees, and the truncated-file fix for missing parts", () => {
    expect(refused((m) => (tree0(m).tree_param = { num_nodes: "[3,3]" }))).toMatchObject({
      field: `${TREES}.tree_param.num_nodes`,
    });
    expect(refused((m) => (tree0(m).split_indices = [1, 0]))).toMatchObject({ fix: TRUNCATED });
    expect(
      refused((m) => {
        for (const key of ["left_children", "right_children", "split_indices", "split_conditions", "default_left"])
          tree0(m)[key] = [];
      }),
    ).toMatchObject({ field: TREES, fix: CORRUPT });
    expect(refused((m) => (tree0(m).right_children = [1, -1, -1]))).toMatchObject({
      field: `${TREES}.left_children`,
      message: expect.stringContaining("node 1 is reached twice"),
      fix: CORRUPT,
    });
    expect(refused((m) => (tree0(m).right_children = [7, -1, -1]))).toMatchObject({ fix: CORRUPT });
    expect(refused((m) => (tree0(m).split_indices = [2, 0, 0]))).toMatchObject({ fix: CORRUPT });
    const names = refused((m) => {
      (m.learner as { feature_names?: string[] }).feature_names = ["a"];
    });
    expect(names).toMatchObject({ field: "learner.feature_names", fix: CORRUPT });
    expect(refused((m) => (m.learner.gradient_booster.model.tree_info = [0, 0]))).toMatchObject({ fix: TRUNCATED });
    expect(refused((m) => (m.learner.gradient_booster.model.gbtree_model_param = { num_trees: "2" }))).toMatchObject({
      fix: TRUNCATED,
    });
  });

  it("refuses a split value or leaf that is not a finite number (a JavaScript caller's NaN or Infinity) by the schema", () => {
    for (const value of [Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(refused((m) => ((tree0(m).split_conditions as number[])[2] = value))).toMatchObject({
        field: `${TREES}.split_conditions[2]`,
        message: expect.stringContaining("m.json is not an XGBoost JSON model: "),
      });
    }
  });
});

describe("parseXGBoostNumber: brackets only as a pair, around the whole trimmed text", () => {
  it("reads a bracketed number with spaces around it", () => {
    expect(parseXGBoostNumber(" [5E-1] ", "f")).toEqual([0.5]);
  });

  it("refuses one bracket alone, and an empty part after a comma", () => {
    for (const bad of ["15]", "0.5]", "[0.5", "[1, ]"])
      expect(
        thrownBy(() => parseXGBoostNumber(bad, "f")),
        bad,
      ).toMatchObject({
        field: "f",
        message: expect.stringContaining(`expected a number, got ${JSON.stringify(bad)}.`),
        fix: FIX_SUPPORTED,
      });
  });
});
