import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RouterModelError } from "../../src/errors/index.js";
import {
  loadRouter,
  loadRouterBundle,
  parseRouterBundle,
  saveRouterBundle,
  serializeRouterBundle,
  type RouterBundle,
} from "../../src/router/bundle.js";
import { XGBoostRouter } from "../../src/router/xgboost/index.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/xgboost");
const modelText = readFileSync(join(FIXTURES, "model.json"), "utf8");

function bundle(overrides: Partial<RouterBundle> = {}): RouterBundle {
  return {
    format: "pyramid-moa-router",
    version: 1,
    featureNames: ["f0", "f1", "f2", "f3", "f4"],
    model: JSON.parse(modelText) as unknown,
    presets: { economy: 0.6, balanced: 0.4, "baseline-match": 0.2 },
    metadata: {
      dataset: "synthetic",
      createdBy: "test",
      trainRows: 600,
      validationRows: 0,
      validation: { auc: Number.NaN, logloss: 0.5 },
      importance: { f0: 3.5 },
    },
    ...overrides,
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "pyramid-bundle-"));
}

describe("router bundles", () => {
  it("saves and loads a bundle: same predictions as the bare model, presets attached, NaN figures as null", () => {
    const dir = tempDir();
    const path = join(dir, "sub", "router.json");
    saveRouterBundle(path, bundle());
    const text = readFileSync(path, "utf8");
    expect(text).toContain('"auc": null');
    expect(text.split("\n").length).toBeLessThan(60); // the model stays on one line
    const router = loadRouter(path);
    expect(router.presets).toEqual({ economy: 0.6, balanced: 0.4, "baseline-match": 0.2 });
    expect(router.featureNames).toEqual(["f0", "f1", "f2", "f3", "f4"]);
    const bare = XGBoostRouter.fromFile(join(FIXTURES, "model.json"));
    const row = [0.25, -3, 0.7, Number.NaN, 0.1];
    expect(router.predictRow(row)).toBe(bare.predictRow(row));
    expect(loadRouterBundle(path).metadata.dataset).toBe("synthetic");
  });

  it("loads a bare XGBoost JSON model too (no presets)", () => {
    const router = loadRouter(join(FIXTURES, "model.json"));
    expect(router.presets).toBeUndefined();
    expect(router.numTrees).toBe(25);
  });

  it("keeps the model byte-for-byte (numbers as XGBoost wrote them)", () => {
    const text = serializeRouterBundle(bundle());
    expect(JSON.stringify((JSON.parse(text) as RouterBundle).model)).toBe(JSON.stringify(JSON.parse(modelText)));
  });

  it("refuses inconsistent or foreign files, naming the field", () => {
    const dir = tempDir();
    const write = (name: string, value: unknown): string => {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(value));
      return path;
    };
    expect(() =>
      loadRouter(write("names.json", bundle({ featureNames: ["f0", "f1", "vote_share", "f3", "f4"] }))),
    ).toThrow(
      /names\.json: featureNames: the bundle's featureNames differ from its model's: feature 2 is "vote_share"/,
    );
    expect(() =>
      loadRouter(write("preset.json", bundle({ presets: { economy: 1.5, balanced: 0.4, "baseline-match": 0.2 } }))),
    ).toThrow(/preset\.json: presets\.economy/);
    expect(() => loadRouter(write("missing.json", { ...bundle(), presets: { economy: 0.5, balanced: 0.4 } }))).toThrow(
      /presets\.baseline-match/,
    );
    expect(() => loadRouter(write("format.json", { ...bundle(), format: "something-else" }))).toThrow(
      /format\.json: format: unknown router file format "something-else"/,
    );
    expect(() => loadRouter(write("version.json", { ...bundle(), version: 99 }))).toThrow(/version\.json: version/);
    expect(() => loadRouter(write("neither.json", { weights: [1, 2] }))).toThrow(
      /neither a router bundle nor an XGBoost JSON model/,
    );
    const badModel = bundle();
    (badModel.model as { learner: { objective: { name: string } } }).learner.objective.name = "multi:softprob";
    expect(() => loadRouter(write("objective.json", badModel))).toThrow(RouterModelError);
    expect(() => loadRouter(write("objective.json", badModel))).toThrow(/objective "multi:softprob" is not supported/);
    expect(() => parseRouterBundle({ ...bundle(), metadata: { dataset: "x" } })).toThrow(/metadata\.createdBy/);
  });
});
