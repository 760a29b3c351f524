import { describe, expect, it } from "vitest";
import { RouterModelError } from "../../src/errors/index.js";
import { SUPPORTED_OBJECTIVES, parseXGBoostModel, parseXGBoostNumber } from "../../src/router/xgboost/model_json.js";
import { XGBoostRouter } from "../../src/router/xgboost/xgboost_router.js";
import { thrownBy } from "../helpers/thrown.js";

// Every refusal of the XGBoost JSON reader, with the field it names, on a hand-written one-split model.

interface Tree {
  left_children: number[];
  right_children: number[];
  split_indices: number[];
  split_conditions: number[];
  default_left: (number | boolean)[];
  split_type?: number[];
  categories_nodes?: number[];
  tree_param?: Record<string, unknown>;
}

function tree(): Tree {
  return {
    left_children: [1, -1, -1],
    right_children: [2, -1, -1],
    split_indices: [1, 0, 0],
    split_conditions: [0.5, -1, 1],
    default_left: [true, false, false],
    tree_param: { num_nodes: "3", size_leaf_vector: "1" },
  };
}

/** The parts of an XGBoost JSON model the cases below edit. */
interface ModelDoc {
  learner: {
    feature_names?: string[];
    feature_types?: string[];
    learner_model_param: Record<string, unknown>;
    objective: { name: string };
    gradient_booster: {
      name: string;
      model: { gbtree_model_param?: Record<string, unknown>; tree_info?: unknown[]; trees: Tree[] };
    };
  };
  version?: number[];
}

function model(): ModelDoc {
  return {
    learner: {
      feature_names: ["a", "b"],
      feature_types: ["float", "float"],
      learner_model_param: { base_score: "[2.5E-1]", num_feature: "2", num_class: "0", num_target: "1" },
      objective: { name: "reg:logistic" },
      gradient_booster: {
        name: "gbtree",
        model: {
          gbtree_model_param: { num_parallel_tree: "2", num_trees: "2" },
          tree_info: [0, 0],
          trees: [tree(), tree()],
        },
      },
    },
    version: [2, 0, 3],
  };
}

function refused(edit: (m: ModelDoc) => void): { field: string; message: string } {
  const m = model();
  edit(m);
  const error = thrownBy(() => parseXGBoostModel(m, "m.json"));
  expect(error).toBeInstanceOf(RouterModelError);
  return error as RouterModelError & { field: string };
}

describe("parseXGBoostModel", () => {
  it("reduces a valid model to what prediction needs", () => {
    const parsed = parseXGBoostModel(model());
    expect(parsed).toEqual({
      objective: "reg:logistic",
      baseScore: 0.25,
      numFeature: 2,
      featureNames: ["a", "b"],
      numParallelTree: 2,
      version: [2, 0, 3],
      trees: [0, 1].map(() => ({
        left: [1, -1, -1],
        right: [2, -1, -1],
        feature: [1, 0, 0],
        condition: [0.5, -1, 1],
        defaultLeft: [true, false, false],
      })),
    });
    expect(SUPPORTED_OBJECTIVES).toEqual(["binary:logistic", "reg:logistic"]);
    const router = XGBoostRouter.fromJSON(model());
    // Two trees, each -1 or +1 by b < 0.5 (a NaN b goes left), from logit(0.25).
    expect(router.predictMargin([9, 0.7])).toBe(Math.fround(Math.fround(Math.fround(-Math.log(3)) + 1) + 1));
    expect(router.predictMargin([9, Number.NaN])).toBe(router.predictMargin([9, 0.2]));
  });

  it("reads optional parts: no names, empty names, no tree_info, no gbtree_model_param, 0/1 flags", () => {
    const m = model();
    delete m.learner.feature_names;
    delete m.learner.feature_types;
    delete m.learner.learner_model_param.num_class;
    delete m.learner.learner_model_param.num_target;
    delete m.learner.gradient_booster.model.tree_info;
    delete m.learner.gradient_booster.model.gbtree_model_param;
    delete m.version;
    m.learner.gradient_booster.model.trees[0].default_left = [0, 1, 1];
    m.learner.gradient_booster.model.trees[0].tree_param = undefined;
    const parsed = parseXGBoostModel(m);
    expect(parsed.featureNames).toBeUndefined();
    expect(parsed.numParallelTree).toBe(1);
    expect(parsed.version).toBeUndefined();
    expect(parsed.trees[0].defaultLeft).toEqual([false, true, true]);
    const empty = model();
    empty.learner.feature_names = [];
    expect(parseXGBoostModel(empty).featureNames).toBeUndefined();
  });

  it("validates only the nodes reachable from the root", () => {
    const m = model();
    const t = m.learner.gradient_booster.model.trees[0];
    // A deleted node 3: unreachable, so its garbage is ignored.
    t.left_children.push(77);
    t.right_children.push(-5);
    t.split_indices.push(99);
    t.split_conditions.push(0);
    t.default_left.push(0);
    t.tree_param = { num_nodes: "4" };
    expect(parseXGBoostModel(m).trees[0].left).toEqual([1, -1, -1, 77]);
  });

  it("refuses unsupported models, naming the field", () => {
    expect(refused((m) => (m.learner.gradient_booster.name = "gblinear"))).toMatchObject({
      field: "learner.gradient_booster.name",
      message: expect.stringContaining('booster "gblinear" is not supported (only gbtree).'),
    });
    expect(refused((m) => (m.learner.objective.name = "reg:squarederror"))).toMatchObject({
      field: "learner.objective.name",
      message: expect.stringContaining(
        'objective "reg:squarederror" is not supported: a router predicts a probability (binary:logistic or reg:logistic).',
      ),
    });
    expect(refused((m) => (m.learner.learner_model_param.num_class = "2"))).toMatchObject({
      field: "learner.learner_model_param",
      message: expect.stringContaining("(num_class 2, num_target 1)"),
    });
    expect(refused((m) => (m.learner.learner_model_param.num_target = "2"))).toMatchObject({
      message: expect.stringContaining("(num_class 0, num_target 2)"),
    });
    expect(
      parseXGBoostModel({
        ...model(),
        learner: { ...model().learner, learner_model_param: { base_score: 0.5, num_feature: 2, num_class: 1 } },
      }).baseScore,
    ).toBe(0.5);
    for (const base of ["0", "1", "-0.5", "NaN"])
      expect(refused((m) => (m.learner.learner_model_param.base_score = base)).field).toBe(
        "learner.learner_model_param.base_score",
      );
    for (const count of ["0", "1.5"])
      expect(refused((m) => (m.learner.learner_model_param.num_feature = count))).toMatchObject({
        field: "learner.learner_model_param.num_feature",
        message: expect.stringContaining(`num_feature ${Number(count)} is not a positive integer.`),
      });
    expect(refused((m) => (m.learner.feature_names = ["a", "b", "c"]))).toMatchObject({
      field: "learner.feature_names",
      message: expect.stringContaining("the model names 3 features but has num_feature 2."),
    });
    expect(refused((m) => (m.learner.feature_types = ["float", "categorical"]))).toMatchObject({
      field: "learner.feature_types[1]",
      message: expect.stringContaining("feature 1 is categorical"),
    });
    expect(refused((m) => (m.learner.feature_types = ["c", "float"])).field).toBe("learner.feature_types[0]");
    expect(refused((m) => (m.learner.gradient_booster.model.tree_info = [0, 2]))).toMatchObject({
      field: "learner.gradient_booster.model.tree_info",
      message: expect.stringContaining("tree 1 belongs to output group 2: a multi-class model."),
    });
    expect(refused((m) => (m.learner.gradient_booster.model.tree_info = [0]))).toMatchObject({
      field: "learner.gradient_booster.model.tree_info",
      message: expect.stringContaining("tree_info has 1 entries for 2 trees."),
    });
    expect(
      refused(
        (m) => (m.learner.gradient_booster.model.gbtree_model_param = { num_parallel_tree: "2", num_trees: "3" }),
      ),
    ).toMatchObject({
      field: "learner.gradient_booster.model.trees",
      message: expect.stringContaining("num_trees is 3 but the file holds 2 trees."),
    });
    expect(
      refused((m) => (m.learner.gradient_booster.model.gbtree_model_param = { num_parallel_tree: "1,2" })).field,
    ).toBe("learner.gradient_booster.model.gbtree_model_param.num_parallel_tree");
  });

  it("refuses malformed trees, naming the tree and the field", () => {
    const t0 = (edit: (t: Tree) => void) => refused((m) => edit(m.learner.gradient_booster.model.trees[1]));
    const field = "learner.gradient_booster.model.trees[1]";
    expect(t0((t) => t.split_indices.pop())).toMatchObject({
      field: `${field}.split_indices`,
      message: expect.stringContaining("split_indices has 2 entries but left_children has 3."),
    });
    expect(t0((t) => t.split_conditions.pop()).field).toBe(`${field}.split_conditions`);
    expect(t0((t) => t.default_left.pop()).field).toBe(`${field}.default_left`);
    expect(t0((t) => t.right_children.push(-1)).field).toBe(`${field}.right_children`);
    expect(t0((t) => (t.tree_param = { num_nodes: "5" })).field).toBe(`${field}.tree_param.num_nodes`);
    expect(
      t0((t) => {
        t.left_children = [];
        t.right_children = [];
        t.split_indices = [];
        t.split_conditions = [];
        t.default_left = [];
        t.tree_param = { num_nodes: "0" };
      }),
    ).toMatchObject({ field, message: expect.stringContaining("the tree has no nodes.") });
    expect(t0((t) => (t.tree_param = { num_nodes: "3", size_leaf_vector: "2" }))).toMatchObject({
      field,
      message: expect.stringContaining("vector-leaf (multi-target) trees are not supported."),
    });
    expect(t0((t) => (t.categories_nodes = [0]))).toMatchObject({
      field: `${field}.split_type`,
      message: expect.stringContaining("categorical splits are not supported."),
    });
    expect(t0((t) => (t.split_type = [0, 0, 1])).field).toBe(`${field}.split_type`);
    for (const child of [0, 3, 1.5, -1])
      expect(t0((t) => (t.right_children[0] = child))).toMatchObject({
        field: `${field}.left_children`,
        message: expect.stringContaining(`node 0 has child ${child}, outside the tree's 3 nodes.`),
      });
    expect(
      t0((t) => {
        t.right_children[0] = 1;
      }),
    ).toMatchObject({
      message: expect.stringContaining("node 1 is reached twice: the tree has a cycle or shared node."),
    });
    for (const feature of [-1, 2, 0.5])
      expect(t0((t) => (t.split_indices[0] = feature))).toMatchObject({
        field: `${field}.split_indices`,
        message: expect.stringContaining(`node 0 splits on feature ${feature} but the model has 2 features.`),
      });
    expect(t0((t) => (t.left_children = "x" as never))).toMatchObject({
      field: `${field}.left_children`,
      message: expect.stringContaining("m.json is not an XGBoost JSON model: "),
    });
  });

  it("names the path of a schema failure, with indexes in brackets", () => {
    const error = refused((m) => (m.learner.learner_model_param = { num_feature: "2" }));
    expect(error.field).toBe("learner.learner_model_param.base_score");
    expect(refused((m) => (m.learner.gradient_booster.model.trees = 5 as never)).field).toBe(
      "learner.gradient_booster.model.trees",
    );
    expect(refused((m) => (m.learner.gradient_booster.model.tree_info = [0, "x"])).field).toBe(
      "learner.gradient_booster.model.tree_info[1]",
    );
    expect(thrownBy(() => parseXGBoostModel(null))).toMatchObject({ field: "" });
    expect(String(thrownBy(() => parseXGBoostModel(null)))).toContain("model is not an XGBoost JSON model");
  });
});

describe("parseXGBoostNumber", () => {
  it("reads numbers, numeric strings, bracketed and comma-separated vectors", () => {
    expect(parseXGBoostNumber(0.5, "f")).toEqual([0.5]);
    expect(parseXGBoostNumber(" 3E-1 ", "f")).toEqual([0.3]);
    expect(parseXGBoostNumber("[5E-1]", "f")).toEqual([0.5]);
    expect(parseXGBoostNumber("[1, 2]", "f")).toEqual([1, 2]);
  });

  it("refuses what is not a number, naming the field", () => {
    for (const bad of ["", "[]", "abc", "1,,2", "[1,x]"])
      expect(
        thrownBy(() => parseXGBoostNumber(bad, "learner.x")),
        bad,
      ).toMatchObject({
        field: "learner.x",
        message: expect.stringContaining(`expected a number, got ${JSON.stringify(bad)}.`),
      });
  });
});
