/**
 * A hand-written XGBoost model with one tree: `x0 < 0.5` goes left to leaf -1, else right to leaf +1 (a missing x0 goes
 * left); base_score 0.5, so the margin is exactly the leaf (logit(0.5) = 0).
 */
export function stumpModel(names: readonly string[] = ["vote_share", "f1"]): Record<string, unknown> {
  return {
    learner: {
      feature_names: names,
      learner_model_param: { base_score: "5E-1", num_feature: String(names.length) },
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
              split_indices: [0, 0, 0],
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
