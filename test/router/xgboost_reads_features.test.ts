import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadRouter } from "../../src/router/bundle.js";
import { XGBoostRouter } from "../../src/router/xgboost/index.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/xgboost");

interface ModelJson {
  learner: {
    feature_names: string[];
    gradient_booster: { model: { trees: { left_children: number[]; split_indices: number[] }[] } };
  };
}

describe("XGBoostRouter.readsFeatures (what crowd schedules may settle on)", () => {
  it("names exactly the features some split reads, and the others do not change any prediction", () => {
    const json = JSON.parse(readFileSync(join(FIXTURES, "model.json"), "utf8")) as ModelJson;
    const split = new Set<number>();
    for (const tree of json.learner.gradient_booster.model.trees) {
      tree.left_children.forEach((left, node) => {
        if (left !== -1) split.add(tree.split_indices[node]);
      });
    }
    const names = json.learner.feature_names;
    const router = XGBoostRouter.fromJSON(json);
    expect(router.readsFeatures).toEqual(names.filter((_, i) => split.has(i)));
    const inputs = JSON.parse(readFileSync(join(FIXTURES, "inputs.json"), "utf8")) as { rows: (number | null)[][] };
    for (const row of inputs.rows.slice(0, 50)) {
      const values = row.map((x) => (x === null ? Number.NaN : x));
      const onlyRead = values.map((x, i) => (router.readsFeatures?.includes(names[i]) ? x : Number.NaN));
      expect(router.predictRow(onlyRead)).toBe(router.predictRow(values));
    }
  });

  it("includes vote_share for a router trained from the agreement rule (its offset reads it)", () => {
    const router = loadRouter(join(import.meta.dirname, "../../routers/gsm8k-llama8b-gemma9b-qwen7b.json"));
    expect(router.readsFeatures).toContain("vote_share");
    expect(router.readsFeatures?.every((name) => router.featureNames?.includes(name))).toBe(true);
  });
});
