import type { ParsedXGBoostModel } from "./model_json.js";

/**
 * A tree ensemble compiled into flat typed arrays for fast prediction.
 *
 * Nodes of all trees share one index space. For an internal node `n`: `feature[n] >= 0`, `x < value[n]`
 * goes to `children[2n]` (left), otherwise to `children[2n + 1]` (right), and a missing value (NaN)
 * goes to `missing[n]` (XGBoost's `default_left`). For a leaf, `feature[n] === -1` and `value[n]` is
 * the leaf value. Indexing the children by the comparison's outcome avoids a hard-to-predict branch.
 */
export interface CompiledForest {
  /** Root node of each tree, in the model's order. */
  readonly roots: Int32Array;
  /** Split feature index, `-1` for a leaf. */
  readonly feature: Int32Array;
  /** Split threshold (float32 value) or leaf value. */
  readonly value: Float64Array;
  /** Children, two per node: `[2n]` for `x < threshold`, `[2n + 1]` for `x >= threshold`. */
  readonly children: Int32Array;
  /** Child for a missing value. */
  readonly missing: Int32Array;
  /** Margin before any tree: `logit(base_score)`, float32. */
  readonly baseMargin: number;
  /** Number of input features. */
  readonly numFeature: number;
}

/**
 * `logit(p)` the way XGBoost's `ProbToMargin` computes it for binary:logistic, in float32:
 * `-log(1 / p - 1)`.
 */
export function probToMargin(p: number): number {
  const base = Math.fround(p);
  return Math.fround(-Math.log(Math.fround(Math.fround(1 / base) - 1)));
}

const EXP_CAP = Math.fround(88.7);
const EPS = Math.fround(1e-16);

/**
 * XGBoost's `common::Sigmoid` in float32: `1 / (expf(min(-x, 88.7)) + 1 + 1e-16)`, each step rounded
 * to float32 like the library's output.
 */
export function sigmoid(margin: number): number {
  const e = Math.fround(Math.exp(Math.min(-margin, EXP_CAP)));
  return Math.fround(1 / Math.fround(Math.fround(e + 1) + EPS));
}

/**
 * Compiles a parsed model's trees into one flat node array, each tree laid out depth-first from its
 * root (only the reachable nodes), thresholds and leaf values rounded to float32 as XGBoost stores them.
 */
export function compileForest(model: ParsedXGBoostModel): CompiledForest {
  let total = 0;
  for (const tree of model.trees) total += tree.left.length;
  const feature = new Int32Array(total);
  const value = new Float64Array(total);
  const children = new Int32Array(2 * total);
  const missing = new Int32Array(total);
  const roots = new Int32Array(model.trees.length);
  let next = 0;
  model.trees.forEach((tree, t) => {
    // Depth-first layout: a node's left child follows it, which keeps the common path in cache.
    const place = (node: number): number => {
      const at = next++;
      if (tree.left[node] === -1) {
        feature[at] = -1;
        value[at] = Math.fround(tree.condition[node]);
        children[2 * at] = children[2 * at + 1] = missing[at] = at;
        return at;
      }
      feature[at] = tree.feature[node];
      value[at] = Math.fround(tree.condition[node]);
      const l = place(tree.left[node]);
      const r = place(tree.right[node]);
      children[2 * at] = l;
      children[2 * at + 1] = r;
      missing[at] = tree.defaultLeft[node] ? l : r;
      return at;
    };
    roots[t] = place(0);
  });
  return {
    roots,
    feature: feature.subarray(0, next),
    value: value.subarray(0, next),
    children: children.subarray(0, 2 * next),
    missing: missing.subarray(0, next),
    baseMargin: probToMargin(model.baseScore),
    numFeature: model.numFeature,
  };
}

/**
 * The margin (log-odds) of one row: float32 values `x` (NaN = missing), summed over the trees in
 * float32 in the model's order, like XGBoost's CPU predictor. The sum starts at `start` (a float32 `base_margin` of
 * the row, which replaces the model's `base_score` as in libxgboost), by default at `logit(base_score)`.
 */
export function forestMargin(forest: CompiledForest, x: Float32Array, start: number = forest.baseMargin): number {
  const { roots, feature, value, children, missing } = forest;
  let margin = start;
  for (let t = 0; t < roots.length; t++) {
    let n = roots[t];
    let f = feature[n];
    while (f >= 0) {
      const v = x[f];
      // biome-ignore lint/suspicious/noSelfCompare: the fastest NaN test in the hot loop (a missing feature is NaN)
      n = v !== v ? missing[n] : children[2 * n + +(v >= value[n])];
      f = feature[n];
    }
    margin = Math.fround(margin + value[n]);
  }
  return margin;
}
