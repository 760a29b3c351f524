import { z } from "zod";
import { RouterModelError } from "../../errors/index.js";
import { validationError } from "../../errors/validate.js";

/** Objectives whose prediction is `sigmoid(margin)`, i.e. a probability: what a router needs. */
export const SUPPORTED_OBJECTIVES: readonly string[] = ["binary:logistic", "reg:logistic"];

const FIX_SUPPORTED =
  "train the router with XGBoost's gbtree booster and objective binary:logistic on numerical features (e.g. with `pyramid-moa train`).";

/** XGBoost writes numbers inside strings ("3E-1"); some versions wrap them in brackets ("[5E-1]"). */
const numberLike = z.union([z.number(), z.string()]);
/** 0/1 integers (XGBoost >= 1.6) or booleans (older JSON). */
const flagArray = z.array(z.union([z.number(), z.boolean()]));

const treeSchema = z.object({
  left_children: z.array(z.number()),
  right_children: z.array(z.number()),
  split_indices: z.array(z.number()),
  split_conditions: z.array(z.number()),
  default_left: flagArray,
  split_type: z.array(z.number()).optional(),
  categories: z.array(z.number()).optional(),
  categories_nodes: z.array(z.number()).optional(),
  tree_param: z
    .object({ num_nodes: numberLike, num_feature: numberLike.optional(), size_leaf_vector: numberLike.optional() })
    .optional(),
});

const gbtreeModelSchema = z.object({
  gbtree_model_param: z
    .object({ num_parallel_tree: numberLike.optional(), num_trees: numberLike.optional() })
    .optional(),
  tree_info: z.array(z.number()).optional(),
  trees: z.array(z.unknown()),
});

const modelSchema = z.object({
  learner: z.object({
    feature_names: z.array(z.string()).optional(),
    feature_types: z.array(z.string()).optional(),
    learner_model_param: z.object({
      base_score: numberLike,
      num_class: numberLike.optional(),
      num_feature: numberLike,
      num_target: numberLike.optional(),
    }),
    objective: z.object({ name: z.string() }),
    gradient_booster: z.looseObject({ name: z.string() }),
  }),
  version: z.array(z.number()).optional(),
});

/** One regression tree of the model, as the arrays XGBoost stores (node 0 is the root). */
export interface ParsedTree {
  /** Left child per node, `-1` for a leaf. */
  readonly left: readonly number[];
  /** Right child per node, `-1` for a leaf. */
  readonly right: readonly number[];
  /** Split feature index per node. */
  readonly feature: readonly number[];
  /** Split threshold per internal node (`x < t` goes left); the leaf value for a leaf. */
  readonly condition: readonly number[];
  /** Whether a missing value (NaN) goes left, per node. */
  readonly defaultLeft: readonly boolean[];
}

/** An XGBoost JSON model, validated and reduced to what prediction needs. */
export interface ParsedXGBoostModel {
  /** `learner.objective.name`. */
  readonly objective: string;
  /** `base_score` as a probability (what XGBoost stores for binary:logistic). */
  readonly baseScore: number;
  /** Number of input features. */
  readonly numFeature: number;
  /** Feature names, when the model carries them (`learner.feature_names`). */
  readonly featureNames?: readonly string[];
  /** The trees, all summed into the single output's margin. */
  readonly trees: readonly ParsedTree[];
  /** `num_parallel_tree` (trees per boosting round). */
  readonly numParallelTree: number;
  /** XGBoost version that wrote the file, when stated. */
  readonly version?: readonly number[];
}

/** Parses XGBoost's numeric strings: `"3E-1"`, `"[5E-1]"`, `"0.5"` or a number. */
export function parseXGBoostNumber(value: string | number, field: string): number[] {
  if (typeof value === "number") return [value];
  const trimmed = value.trim();
  const inner = trimmed.startsWith("[") && trimmed.endsWith("]") ? trimmed.slice(1, -1) : trimmed;
  const parts = inner.split(",").map((part) => part.trim());
  const numbers = parts.map(Number);
  if (parts.length === 0 || parts.some((part) => part.length === 0) || numbers.some((n) => Number.isNaN(n))) {
    throw new RouterModelError(`expected a number, got ${JSON.stringify(value)}.`, { field, fix: FIX_SUPPORTED });
  }
  return numbers;
}

function scalar(value: string | number, field: string): number {
  const numbers = parseXGBoostNumber(value, field);
  if (numbers.length !== 1) {
    throw new RouterModelError(`expected one value, got ${numbers.length} (a multi-output model).`, {
      field,
      fix: FIX_SUPPORTED,
    });
  }
  return numbers[0];
}

function zodFailure(error: z.ZodError, prefix: string, source: string): RouterModelError {
  return validationError(error, {
    error: RouterModelError,
    field: (_, issue) => {
      const path = (issue?.path ?? [])
        .map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`))
        .join("");
      return `${prefix}${path}`.replace(/^\./, "");
    },
    message: (issues) => `${source} is not an XGBoost JSON model: ${issues[0]?.message}.`,
    fix: 'pass the JSON written by XGBoost\'s save_model("model.json") / XGBoosterSaveModel, or a pyramid-moa router bundle.',
  });
}

function parseTree(raw: unknown, index: number, numFeature: number, source: string): ParsedTree {
  const field = `learner.gradient_booster.model.trees[${index}]`;
  const parsed = treeSchema.safeParse(raw);
  if (!parsed.success) throw zodFailure(parsed.error, field, source);
  const tree = parsed.data;
  const n = tree.left_children.length;
  const lengths: Record<string, number> = {
    right_children: tree.right_children.length,
    split_indices: tree.split_indices.length,
    split_conditions: tree.split_conditions.length,
    default_left: tree.default_left.length,
  };
  if (tree.tree_param)
    lengths["tree_param.num_nodes"] = scalar(tree.tree_param.num_nodes, `${field}.tree_param.num_nodes`);
  for (const [name, length] of Object.entries(lengths)) {
    if (length !== n) {
      throw new RouterModelError(`${name} has ${length} entries but left_children has ${n}.`, {
        field: `${field}.${name}`,
        fix: "the file is truncated or corrupt; save the model again.",
      });
    }
  }
  if (n === 0) {
    throw new RouterModelError("the tree has no nodes.", { field, fix: "the file is corrupt; save the model again." });
  }
  if (tree.tree_param?.size_leaf_vector !== undefined && scalar(tree.tree_param.size_leaf_vector, field) > 1) {
    throw new RouterModelError("vector-leaf (multi-target) trees are not supported.", { field, fix: FIX_SUPPORTED });
  }
  if ((tree.split_type ?? []).some((t) => t !== 0) || (tree.categories_nodes ?? []).length > 0) {
    throw new RouterModelError("categorical splits are not supported.", {
      field: `${field}.split_type`,
      fix: "encode categorical features as numbers (one-hot or ordinal) and train without enable_categorical.",
    });
  }
  // Validate the nodes reachable from the root (pruned, deleted nodes may hold anything), each once.
  const seen = new Uint8Array(n);
  const stack = [0];
  while (stack.length > 0) {
    const i = stack.pop() as number;
    if (seen[i]) {
      throw new RouterModelError(`node ${i} is reached twice: the tree has a cycle or shared node.`, {
        field: `${field}.left_children`,
        fix: "the file is corrupt; save the model again.",
      });
    }
    seen[i] = 1;
    // A leaf: its value is a finite number (zod's z.number() refuses NaN and infinities).
    if (tree.left_children[i] === -1) continue;
    for (const child of [tree.left_children[i], tree.right_children[i]]) {
      if (!Number.isInteger(child) || child <= 0 || child >= n) {
        throw new RouterModelError(`node ${i} has child ${child}, outside the tree's ${n} nodes.`, {
          field: `${field}.left_children`,
          fix: "the file is corrupt; save the model again.",
        });
      }
      stack.push(child);
    }
    const feature = tree.split_indices[i];
    if (!Number.isInteger(feature) || feature < 0 || feature >= numFeature) {
      throw new RouterModelError(`node ${i} splits on feature ${feature} but the model has ${numFeature} features.`, {
        field: `${field}.split_indices`,
        fix: "the file is corrupt; save the model again.",
      });
    }
  }
  return {
    left: tree.left_children,
    right: tree.right_children,
    feature: tree.split_indices,
    condition: tree.split_conditions,
    defaultLeft: tree.default_left.map((flag) => flag === true || flag === 1),
  };
}

/**
 * Validates an XGBoost JSON model (as written by `XGBoosterSaveModel("m.json")` / `save_model`) and
 * reduces it to what prediction needs.
 *
 * @param source Name used in error messages (a file path, or "model").
 * @throws RouterModelError for a malformed file, or an unsupported booster (gblinear, dart),
 *   objective (anything but binary:logistic / reg:logistic), multi-class or multi-target model, or
 *   categorical split.
 */
export function parseXGBoostModel(json: unknown, source = "model"): ParsedXGBoostModel {
  const parsed = modelSchema.safeParse(json);
  if (!parsed.success) throw zodFailure(parsed.error, "", source);
  const { learner, version } = parsed.data;
  const booster = learner.gradient_booster;
  if (booster.name !== "gbtree") {
    throw new RouterModelError(`booster "${booster.name}" is not supported (only gbtree).`, {
      field: "learner.gradient_booster.name",
      fix: FIX_SUPPORTED,
    });
  }
  const objective = learner.objective.name;
  if (!SUPPORTED_OBJECTIVES.includes(objective)) {
    throw new RouterModelError(
      `objective "${objective}" is not supported: a router predicts a probability (${SUPPORTED_OBJECTIVES.join(" or ")}).`,
      { field: "learner.objective.name", fix: FIX_SUPPORTED },
    );
  }
  const param = learner.learner_model_param;
  const numClass = param.num_class === undefined ? 0 : scalar(param.num_class, "learner.learner_model_param.num_class");
  const numTarget =
    param.num_target === undefined ? 1 : scalar(param.num_target, "learner.learner_model_param.num_target");
  if (numClass > 1 || numTarget > 1) {
    throw new RouterModelError(
      `multi-class / multi-target models are not supported (num_class ${numClass}, num_target ${numTarget}).`,
      {
        field: "learner.learner_model_param",
        fix: FIX_SUPPORTED,
      },
    );
  }
  const baseScore = scalar(param.base_score, "learner.learner_model_param.base_score");
  if (!(baseScore > 0 && baseScore < 1)) {
    throw new RouterModelError(`base_score ${baseScore} is not a probability in (0, 1).`, {
      field: "learner.learner_model_param.base_score",
      fix: FIX_SUPPORTED,
    });
  }
  const numFeature = scalar(param.num_feature, "learner.learner_model_param.num_feature");
  if (!Number.isInteger(numFeature) || numFeature < 1) {
    throw new RouterModelError(`num_feature ${numFeature} is not a positive integer.`, {
      field: "learner.learner_model_param.num_feature",
      fix: FIX_SUPPORTED,
    });
  }
  const names = learner.feature_names && learner.feature_names.length > 0 ? learner.feature_names : undefined;
  if (names && names.length !== numFeature) {
    throw new RouterModelError(`the model names ${names.length} features but has num_feature ${numFeature}.`, {
      field: "learner.feature_names",
      fix: "the file is corrupt; save the model again.",
    });
  }
  const categorical = (learner.feature_types ?? []).findIndex((type) => type === "c" || type === "categorical");
  if (categorical >= 0) {
    throw new RouterModelError(`feature ${categorical} is categorical; categorical features are not supported.`, {
      field: `learner.feature_types[${categorical}]`,
      fix: "encode categorical features as numbers (one-hot or ordinal) and train without enable_categorical.",
    });
  }
  const parsedModel = gbtreeModelSchema.safeParse(booster.model);
  if (!parsedModel.success) throw zodFailure(parsedModel.error, "learner.gradient_booster.model", source);
  const model = parsedModel.data;
  const treeInfo = model.tree_info ?? [];
  const otherGroup = treeInfo.findIndex((group) => group !== 0);
  if (otherGroup >= 0) {
    throw new RouterModelError(
      `tree ${otherGroup} belongs to output group ${treeInfo[otherGroup]}: a multi-class model.`,
      {
        field: "learner.gradient_booster.model.tree_info",
        fix: FIX_SUPPORTED,
      },
    );
  }
  if (model.tree_info && model.tree_info.length !== model.trees.length) {
    throw new RouterModelError(`tree_info has ${model.tree_info.length} entries for ${model.trees.length} trees.`, {
      field: "learner.gradient_booster.model.tree_info",
      fix: "the file is truncated or corrupt; save the model again.",
    });
  }
  const numParallelTree =
    model.gbtree_model_param?.num_parallel_tree === undefined
      ? 1
      : scalar(
          model.gbtree_model_param.num_parallel_tree,
          "learner.gradient_booster.model.gbtree_model_param.num_parallel_tree",
        );
  if (model.gbtree_model_param?.num_trees !== undefined) {
    const numTrees = scalar(
      model.gbtree_model_param.num_trees,
      "learner.gradient_booster.model.gbtree_model_param.num_trees",
    );
    if (numTrees !== model.trees.length) {
      throw new RouterModelError(`num_trees is ${numTrees} but the file holds ${model.trees.length} trees.`, {
        field: "learner.gradient_booster.model.trees",
        fix: "the file is truncated or corrupt; save the model again.",
      });
    }
  }
  const trees = model.trees.map((tree, i) => parseTree(tree, i, numFeature, source));
  return { objective, baseScore, numFeature, featureNames: names, trees, numParallelTree, version };
}
