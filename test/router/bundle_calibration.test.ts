import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  applyPFailCalibration,
  loadRouter,
  loadRouterBundle,
  parseRouterBundle,
  RouterModelError,
  saveRouterBundle,
  XGBoostRouter,
  type RouterBundle,
} from "../../src/index.js";
import { fitPFailCalibration } from "../../src/router/train/index.js";
import { thrownBy } from "../helpers/thrown.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/xgboost");
const SHIPPED = join(import.meta.dirname, "../../routers");
const modelText = readFileSync(join(FIXTURES, "model.json"), "utf8");
const rows = [
  [0.25, -3, 0.7, Number.NaN, 0.1],
  [1.5, 2, -0.3, 0.4, 0.9],
  [-0.7, 0.5, 0.2, 1.1, Number.NaN],
  [0, 0, 0, 0, 0],
];

function bundle(overrides: Partial<RouterBundle> = {}): RouterBundle {
  return {
    format: "pyramid-moa-router",
    version: 2,
    featureNames: ["f0", "f1", "f2", "f3", "f4"],
    model: JSON.parse(modelText) as unknown,
    pFailCalibration: fitPFailCalibration(
      "isotonic",
      [0.1, 0.2, 0.3, 0.5, 0.6, 0.8, 0.9],
      [0, 0, 1, 0, 1, 1, 1],
      "synthetic",
    ),
    presets: { economy: 0.6, balanced: 0.4, "baseline-match": 0.2 },
    metadata: {
      dataset: "synthetic",
      createdBy: "test",
      trainRows: 600,
      validationRows: 7,
      validation: { auc: 0.8, logloss: 0.5, bootstrap: { resamples: 1000, seed: 1, level: 0.9 } },
      importance: { f0: 3.5 },
    },
    ...overrides,
  };
}

describe("router bundles with a P_fail calibration", () => {
  it("round-trips: the loaded router applies the stored calibration in predict, predictRow and predictBatch", () => {
    const path = join(mkdtempSync(join(tmpdir(), "pyramid-calib-")), "router.json");
    const written = bundle();
    saveRouterBundle(path, written);
    const loaded = loadRouterBundle(path);
    expect(loaded.version).toBe(2);
    expect(loaded.pFailCalibration).toEqual(written.pFailCalibration);
    const router = loadRouter(path);
    const bare = XGBoostRouter.fromFile(join(FIXTURES, "model.json"));
    const calibration = written.pFailCalibration!;
    const batch = router.predictBatch(rows);
    rows.forEach((row, i) => {
      const raw = bare.predictRow(row);
      expect(router.predictRaw(row)).toBe(raw);
      expect(router.predictRow(row)).toBe(applyPFailCalibration(calibration, raw));
      expect(batch[i]).toBe(router.predictRow(row));
      expect(router.predict({ names: ["f0", "f1", "f2", "f3", "f4"], values: row })).toBe(router.predictRow(row));
    });
    // The calibration changes the values, not their order (ties aside).
    const raw = rows.map((r) => bare.predictRow(r));
    for (let i = 0; i < rows.length; i++) {
      for (let j = 0; j < rows.length; j++) if (raw[i] < raw[j]) expect(batch[i]).toBeLessThanOrEqual(batch[j]);
    }
    expect(new Set(batch).size).toBeGreaterThan(1);
  });

  it("still loads version 1 bundles, which have no calibration: the model's output is P_fail", () => {
    for (const file of ["gsm8k-llama8b-gemma9b-qwen7b.json", "mbpp-mistral7b-wizardlm13b-mixtral.json"]) {
      const old = JSON.parse(readFileSync(join(SHIPPED, file), "utf8")) as {
        version: number;
        pFailCalibration?: unknown;
      };
      const v1 = { ...old, version: 1, pFailCalibration: undefined };
      const parsed = parseRouterBundle(JSON.parse(JSON.stringify(v1)), file);
      expect(parsed.version).toBe(1);
      expect(parsed.pFailCalibration).toBeUndefined();
    }
    const v1 = { ...bundle(), version: 1 as const, pFailCalibration: undefined };
    const path = join(mkdtempSync(join(tmpdir(), "pyramid-calib-")), "v1.json");
    saveRouterBundle(path, v1);
    const router = loadRouter(path);
    expect(router.calibration).toBeUndefined();
    for (const row of rows) expect(router.predictRow(row)).toBe(router.predictRaw(row));
  });

  it("refuses an unknown version and a calibration that would reorder queries, naming the field", () => {
    expect(() => parseRouterBundle({ ...bundle(), version: 3 }, "r.json")).toThrow(RouterModelError);
    const reordering = { method: "isotonic", x: [0.2, 0.8], y: [0.9, 0.1], fittedOn: "x", rows: 2 };
    const error = thrownBy(() =>
      parseRouterBundle(JSON.parse(JSON.stringify({ ...bundle(), pFailCalibration: reordering })), "r.json"),
    );
    expect(error).toBeInstanceOf(RouterModelError);
    expect((error as RouterModelError).field).toBe("r.json: pFailCalibration.y.1");
  });
});
