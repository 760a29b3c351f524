/**
 * Router inference throughput: the TypeScript XGBoost evaluator (XGBoostRouter) against libxgboost's
 * own in-place predict (`XGBoosterPredictFromDense` through koffi), measured in the same run on the
 * 100-tree golden model (`test/fixtures/xgboost/model100.json`, 12 features, depth <= 5), single rows
 * and batches of 1000. Run alone with `npx tsx bench/xgboost.ts`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { RouterModelError } from "../src/errors/index.js";
import { NativeFloatBuffer, XGBBooster } from "../src/router/train/booster.js";
import { loadLibXGBoost, type LibXGBoost } from "../src/router/train/libxgboost.js";
import { seededRandom } from "../src/router/train/metrics.js";
import { XGBoostRouter } from "../src/router/xgboost/index.js";
import type { BenchFigure, BenchSuite } from "./types.js";

const SECTION = "Router";
const MODEL = join(import.meta.dirname, "../test/fixtures/xgboost/model100.json");
const ROWS = 1000;
/** Single-row target of the issue, in microseconds per prediction. */
const SINGLE_ROW_TARGET_US = 5;

/** Options of the XGBoost suite. */
export interface XGBoostBenchOptions {
  /** Measured repeats per figure (default 7). */
  repeats?: number;
  /** Single-row TypeScript predictions per repeat (default 100 000). */
  singleRowCalls?: number;
  /** Single-row libxgboost predictions per repeat (default 5 000: each is a native call). */
  nativeSingleRowCalls?: number;
  /** Batches of 1000 rows per repeat (default 50). */
  batches?: number;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function makeFigure(
  name: string,
  unit: string,
  values: readonly number[],
  baselines: readonly number[],
  target: { text: string; met?: (value: number, ratio: number) => boolean },
  note: string,
): BenchFigure {
  const value = median(values);
  const baseline = median(baselines);
  const ratio = value / baseline;
  const ratios = values.map((v, i) => v / baselines[i]);
  return {
    section: SECTION,
    name,
    value,
    baseline,
    unit,
    ratio,
    spread: [Math.min(...ratios), Math.max(...ratios)],
    target: target.text,
    ...(target.met ? { met: target.met(value, ratio) } : {}),
    note,
  };
}

/** Rows like the fixture's: 12 features on mixed scales, 10% missing. */
function makeRows(cols: number): number[][] {
  const random = seededRandom(2024);
  return Array.from({ length: ROWS }, () =>
    Array.from({ length: cols }, (_, c) => {
      if (random() < 0.1) return Number.NaN;
      const u = random();
      return c % 3 === 0 ? Math.round(u * 4) / 4 : c % 3 === 1 ? u * 100 - 50 : u;
    }),
  );
}

/**
 * CPU seconds (user + system) taken by `fn`: unlike wall time, not inflated when other processes
 * share the cores (both evaluators run single-threaded here, so CPU time is their run time).
 */
function time(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** Nanoseconds per iteration of a trivial loop: how fast this machine is right now, for the notes. */
function machineSpeed(): number {
  let acc = 0;
  const n = 50_000_000;
  const seconds = time(() => {
    for (let i = 0; i < n; i++) acc += i & 7;
  });
  sink += acc;
  return (seconds * 1e9) / n;
}

let sink = 0;

/** Measures the suite; see the module comment. */
export async function runXGBoostBench(options: XGBoostBenchOptions = {}): Promise<BenchFigure[]> {
  const repeats = options.repeats ?? 7;
  const singleCalls = options.singleRowCalls ?? 100_000;
  const nativeCalls = options.nativeSingleRowCalls ?? 5_000;
  const batches = options.batches ?? 50;
  const modelText = readFileSync(MODEL, "utf8");
  const router = XGBoostRouter.fromJSON(JSON.parse(modelText) as unknown);
  const cols = router.numFeatures;
  const rows = makeRows(cols);

  let lib: LibXGBoost | undefined;
  try {
    lib = loadLibXGBoost();
  } catch {
    lib = undefined;
  }
  const booster = lib ? XGBBooster.fromModelJson(lib, modelText) : undefined;
  const buffer = lib ? new NativeFloatBuffer(lib, ROWS * cols) : undefined;
  // One thread, like the JavaScript evaluator: a per-core comparison.
  booster?.setParam("nthread", 1);
  if (buffer) for (const [r, row] of rows.entries()) buffer.array.set(row, r * cols);

  const tsSingle = (): number =>
    time(() => {
      for (let i = 0; i < singleCalls; i++) sink += router.predictRow(rows[i % ROWS]);
    }) / singleCalls;
  const tsBatch = (): number =>
    time(() => {
      for (let b = 0; b < batches; b++) sink += router.predictBatch(rows)[b % ROWS];
    }) /
    (batches * ROWS);
  const libSingle = (): number =>
    booster && buffer
      ? time(() => {
          for (let i = 0; i < nativeCalls; i++) sink += booster.predictDense(buffer, 1, cols, i % ROWS)[0];
        }) / nativeCalls
      : Number.NaN;
  const libBatch = (): number =>
    booster && buffer
      ? time(() => {
          for (let b = 0; b < batches; b++) sink += booster.predictDense(buffer, ROWS, cols)[b % ROWS];
        }) /
        (batches * ROWS)
      : Number.NaN;

  try {
    // Both evaluators must agree before they are timed.
    if (booster && buffer) {
      const expected = booster.predictDense(buffer, ROWS, cols);
      rows.forEach((row, i) => {
        const p = router.predictRow(row);
        if (Math.abs(p - expected[i]) > 1e-6) {
          throw new RouterModelError(`row ${i}: the TypeScript evaluator predicts ${p}, libxgboost ${expected[i]}.`, {
            field: MODEL,
            fix: "report this as a bug in pyramid-moa's XGBoost evaluator.",
          });
        }
      });
    }
    // Warm-up (JIT, caches).
    tsSingle();
    tsBatch();
    libSingle();
    libBatch();
    const secondsPerPrediction = {
      tsSingle: [] as number[],
      libSingle: [] as number[],
      tsBatch: [] as number[],
      libBatch: [] as number[],
    };
    for (let r = 0; r < repeats; r++) {
      secondsPerPrediction.tsSingle.push(tsSingle());
      secondsPerPrediction.libSingle.push(libSingle());
      secondsPerPrediction.tsBatch.push(tsBatch());
      secondsPerPrediction.libBatch.push(libBatch());
    }
    const perSecond = (list: number[]): number[] => list.map((s) => 1 / s);
    const micro = (list: number[]): number[] => list.map((s) => s * 1e6);
    const speed = machineSpeed();
    const machineNote = `CPU time; machine: ${speed.toFixed(2)} ns per trivial loop iteration (about 0.3-0.5 on an idle modern core)`;
    const baselineNote = lib
      ? `baseline: libxgboost ${lib.version.join(".")} XGBoosterPredictFromDense through koffi, nthread 1, same model and rows`
      : "baseline unavailable: libxgboost could not be loaded (apt-get install -y libxgboost0)";
    return [
      makeFigure(
        "XGBoost single-row predict, 100 trees (µs/prediction)",
        "µs/prediction",
        micro(secondsPerPrediction.tsSingle),
        micro(secondsPerPrediction.libSingle),
        { text: `single-row < ${SINGLE_ROW_TARGET_US} µs`, met: (value) => value < SINGLE_ROW_TARGET_US },
        `value: XGBoostRouter.predictRow; ${baselineNote} (one row per call); ${machineNote}`,
      ),
      makeFigure(
        "XGBoost single-row throughput, 100 trees",
        "predictions/s",
        perSecond(secondsPerPrediction.tsSingle),
        perSecond(secondsPerPrediction.libSingle),
        { text: ">= 1x", met: (_, ratio) => ratio >= 1 },
        `value: XGBoostRouter.predictRow; ${baselineNote} (one row per call); ${machineNote}`,
      ),
      makeFigure(
        "XGBoost batch of 1000 throughput, 100 trees",
        "predictions/s",
        perSecond(secondsPerPrediction.tsBatch),
        perSecond(secondsPerPrediction.libBatch),
        { text: "" },
        `value: XGBoostRouter.predictBatch; ${baselineNote} (1000 rows per call); no target: native batch prediction is expected to win; ${machineNote}`,
      ),
    ];
  } finally {
    buffer?.free();
    booster?.free();
    if (sink === 42) console.log(""); // keep the results alive
  }
}

/** The suite for `npm run bench`. */
export const xgboostBench: BenchSuite = () => runXGBoostBench();

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runXGBoostBench().then(
    (figures) => {
      for (const f of figures) {
        console.log(
          `${f.name}: ${f.value.toPrecision(4)} vs ${f.baseline.toPrecision(4)} ${f.unit}, ratio ${f.ratio.toFixed(2)} [${f.spread.map((x) => x.toFixed(2)).join(", ")}] target ${f.target || "-"}${f.met === undefined ? "" : f.met ? " met" : " NOT met"}\n  ${f.note ?? ""}`,
        );
      }
    },
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
