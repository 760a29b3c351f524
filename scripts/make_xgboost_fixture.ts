/**
 * Writes the golden XGBoost fixtures of `test/fixtures/xgboost/` with the real libxgboost:
 *
 * - `model.json`: a small binary:logistic model (base_score 0.3, NaNs in the data) and
 *   `inputs.json` / `predictions.json`: rows (with NaN written as null, rows sitting exactly on split
 *   thresholds and next to them, all-missing rows) and libxgboost's own probabilities and margins.
 * - `model100.json`: a 100-tree model on 12 features for `bench/xgboost.ts`, with
 *   `inputs100.json` / `predictions100.json` likewise.
 *
 * Run: `npx tsx scripts/make_xgboost_fixture.ts [outDir]`. The data are synthetic and seeded, so
 * the script is re-runnable; the fixtures only change if libxgboost's training changes.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { XGBBooster, XGBDMatrix, type DenseMatrix } from "../src/router/train/booster.js";
import { loadLibXGBoost, type LibXGBoost } from "../src/router/train/libxgboost.js";
import { seededRandom } from "../src/router/train/metrics.js";

interface FixtureSpec {
  name: string;
  rows: number;
  cols: number;
  rounds: number;
  params: Record<string, string | number>;
  missingRate: number;
  seed: number;
  testRows: number;
}

/** Synthetic data: a noisy logistic function of a few features, with values missing at random. */
function makeData(spec: FixtureSpec): { matrix: DenseMatrix; labels: Float32Array } {
  const random = seededRandom(spec.seed);
  const { rows, cols } = spec;
  const data = new Float32Array(rows * cols);
  const labels = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      // Mixed scales and a few repeated values, like real features (shares, counts, lengths).
      const u = random();
      data[r * cols + c] = c % 3 === 0 ? Math.round(u * 4) / 4 : c % 3 === 1 ? u * 100 - 50 : u;
      if (random() < spec.missingRate) data[r * cols + c] = Number.NaN;
    }
    const v = (c: number): number => {
      const x = data[r * cols + c];
      return Number.isNaN(x) ? 0.5 : x;
    };
    const z = 3 * (v(0) - 0.5) - 0.04 * v(1) + 2 * v(2) * v(0) - 1 + (random() - 0.5) * 2;
    labels[r] = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
  }
  return { matrix: { data, rows, cols }, labels };
}

/** Internal nodes' (feature, threshold) pairs of the saved model. */
function splits(model: unknown): Array<[number, number]> {
  const trees = (model as { learner: { gradient_booster: { model: { trees: Array<Record<string, number[]>> } } } })
    .learner.gradient_booster.model.trees;
  const out: Array<[number, number]> = [];
  for (const tree of trees) {
    tree.left_children.forEach((left, i) => {
      if (left !== -1) out.push([tree.split_indices[i], tree.split_conditions[i]]);
    });
  }
  return out;
}

/** Next float32 after `x` towards +/- infinity. */
function nextFloat32(x: number, direction: 1 | -1): number {
  const buffer = new Float32Array([x]);
  const bits = new Int32Array(buffer.buffer);
  bits[0] += (x >= 0 ? 1 : -1) * direction;
  return buffer[0];
}

/** Test rows: fresh data, rows sitting on / next to split thresholds, all-missing and extreme rows. */
function makeTestRows(spec: FixtureSpec, model: unknown): DenseMatrix {
  const random = seededRandom(spec.seed + 1000);
  const fresh = makeData({ ...spec, rows: spec.testRows, seed: spec.seed + 1 }).matrix;
  const rows: number[][] = [];
  for (let r = 0; r < fresh.rows; r++) rows.push(Array.from(fresh.data.subarray(r * spec.cols, (r + 1) * spec.cols)));
  const pairs = splits(model);
  for (let k = 0; k < Math.min(40, pairs.length); k++) {
    const [feature, threshold] = pairs[Math.floor(random() * pairs.length)];
    for (const value of [threshold, nextFloat32(threshold, -1), nextFloat32(threshold, 1)]) {
      const base = rows[Math.floor(random() * fresh.rows)].slice();
      base[feature] = value;
      rows.push(base);
    }
  }
  rows.push(new Array<number>(spec.cols).fill(Number.NaN));
  rows.push(new Array<number>(spec.cols).fill(1e30));
  rows.push(new Array<number>(spec.cols).fill(-1e30));
  rows.push(Array.from({ length: spec.cols }, (_, c) => (c % 2 === 0 ? Number.NaN : 0)));
  const data = new Float32Array(rows.length * spec.cols);
  for (const [r, row] of rows.entries()) data.set(row, r * spec.cols);
  return { data, rows: rows.length, cols: spec.cols };
}

function toJsonRows(matrix: DenseMatrix): Array<Array<number | null>> {
  const out: Array<Array<number | null>> = [];
  for (let r = 0; r < matrix.rows; r++) {
    out.push(
      Array.from(matrix.data.subarray(r * matrix.cols, (r + 1) * matrix.cols), (x) => (Number.isNaN(x) ? null : x)),
    );
  }
  return out;
}

function makeFixture(
  lib: LibXGBoost,
  spec: FixtureSpec,
  outDir: string,
  files: { model: string; inputs: string; predictions: string },
): void {
  const featureNames = Array.from({ length: spec.cols }, (_, c) => `f${c}`);
  const { matrix, labels } = makeData(spec);
  const train = new XGBDMatrix(lib, matrix, { labels, featureNames });
  const booster = XGBBooster.create(lib, [train]);
  for (const [name, value] of Object.entries(spec.params)) booster.setParam(name, value);
  booster.setFeatureNames(featureNames);
  for (let round = 0; round < spec.rounds; round++) booster.updateOneIter(round, train);
  const modelText = booster.saveJson();
  const model = JSON.parse(modelText) as unknown;
  const test = makeTestRows(spec, model);
  const testMatrix = new XGBDMatrix(lib, test, { featureNames });
  const probabilities = booster.predict(testMatrix);
  const margins = booster.predict(testMatrix, { margin: true });
  writeFileSync(join(outDir, files.model), `${modelText}\n`);
  writeFileSync(
    join(outDir, files.inputs),
    `${JSON.stringify({ featureNames, note: "null = NaN (missing)", rows: toJsonRows(test) })}\n`,
  );
  writeFileSync(
    join(outDir, files.predictions),
    `${JSON.stringify(
      {
        libxgboost: lib.version.join("."),
        method: "XGBoosterPredictFromDMatrix (type 0 = probability, type 1 = margin), float32",
        params: spec.params,
        rounds: spec.rounds,
        probabilities: Array.from(probabilities),
        margins: Array.from(margins),
      },
      null,
      1,
    )}\n`,
  );
  testMatrix.free();
  booster.free();
  train.free();
  console.log(`${files.model}: ${spec.rounds} rounds, ${test.rows} test rows`);
}

const outDir = resolve(process.argv[2] ?? "test/fixtures/xgboost");
mkdirSync(outDir, { recursive: true });
const lib = loadLibXGBoost();
makeFixture(
  lib,
  {
    name: "small",
    rows: 600,
    cols: 5,
    rounds: 25,
    missingRate: 0.15,
    seed: 7,
    testRows: 150,
    params: {
      objective: "binary:logistic",
      base_score: 0.3,
      max_depth: 4,
      eta: 0.3,
      eval_metric: "logloss",
      tree_method: "hist",
      seed: 7,
      nthread: 1,
    },
  },
  outDir,
  { model: "model.json", inputs: "inputs.json", predictions: "predictions.json" },
);
makeFixture(
  lib,
  {
    name: "bench",
    rows: 3000,
    cols: 12,
    rounds: 100,
    missingRate: 0.1,
    seed: 11,
    testRows: 200,
    params: {
      objective: "binary:logistic",
      base_score: 0.25,
      max_depth: 5,
      eta: 0.1,
      eval_metric: "logloss",
      tree_method: "hist",
      seed: 11,
      nthread: 1,
    },
  },
  outDir,
  { model: "model100.json", inputs: "inputs100.json", predictions: "predictions100.json" },
);
