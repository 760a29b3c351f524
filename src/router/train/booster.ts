import { RouterModelError } from "../../errors/index.js";
import type { LibXGBoost } from "./libxgboost.js";

/** A dense float32 row-major matrix: `data[row * cols + col]`, `NaN` for a missing value. */
export interface DenseMatrix {
  /** Row-major values. */
  readonly data: Float32Array;
  /** Number of rows. */
  readonly rows: number;
  /** Number of columns. */
  readonly cols: number;
}

/** Reads `length` float32 values from a native pointer into a fresh (JS-owned) array. */
function readFloats(lib: LibXGBoost, pointer: unknown, length: number): Float32Array {
  if (length === 0) return new Float32Array(0);
  return new Float32Array(lib.koffi.view(pointer, length * 4).slice(0));
}

/** Reads `length` uint64 values (shapes) from a native pointer. */
function readShape(lib: LibXGBoost, pointer: unknown, length: number): number[] {
  if (length === 0) return [];
  return Array.from(new BigUint64Array(lib.koffi.view(pointer, length * 8).slice(0)), Number);
}

/** Number of elements in a prediction of the given shape. */
function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** An XGBoost `DMatrix` (training or prediction data) owned by libxgboost; call {@link XGBDMatrix.free}. */
export class XGBDMatrix {
  /** The native handle. */
  readonly handle: bigint;
  /** Number of rows. */
  readonly rows: number;
  private freed = false;

  /**
   * Creates a DMatrix from a dense matrix with `missing = NaN`, optionally with labels and feature names.
   */
  constructor(
    private readonly lib: LibXGBoost,
    matrix: DenseMatrix,
    options: {
      labels?: Float32Array;
      featureNames?: readonly string[];
      /** Each row's starting margin (libxgboost's `base_margin`, replacing `base_score`). */
      baseMargin?: Float32Array;
      /** Each row's weight. */
      weights?: Float32Array;
    } = {},
  ) {
    const out: unknown[] = [null];
    lib.check(
      lib.XGDMatrixCreateFromMat(matrix.data, matrix.rows, matrix.cols, Number.NaN, out),
      "XGDMatrixCreateFromMat",
    );
    this.handle = out[0] as bigint;
    this.rows = matrix.rows;
    try {
      if (options.labels) {
        if (options.labels.length !== matrix.rows) {
          throw new RouterModelError(`got ${options.labels.length} labels for ${matrix.rows} rows.`, {
            field: "labels",
          });
        }
        lib.check(
          lib.XGDMatrixSetFloatInfo(this.handle, "label", options.labels, options.labels.length),
          "XGDMatrixSetFloatInfo(label)",
        );
      }
      for (const [field, values] of [
        ["base_margin", options.baseMargin],
        ["weight", options.weights],
      ] as const) {
        if (!values) continue;
        if (values.length !== matrix.rows) {
          throw new RouterModelError(`got ${values.length} values of ${field} for ${matrix.rows} rows.`, { field });
        }
        lib.check(
          lib.XGDMatrixSetFloatInfo(this.handle, field, values, values.length),
          `XGDMatrixSetFloatInfo(${field})`,
        );
      }
      if (options.featureNames) {
        lib.check(
          lib.XGDMatrixSetStrFeatureInfo(
            this.handle,
            "feature_name",
            [...options.featureNames],
            options.featureNames.length,
          ),
          "XGDMatrixSetStrFeatureInfo(feature_name)",
        );
      }
    } catch (error) {
      this.free();
      throw error;
    }
  }

  /** Releases the native matrix (idempotent). */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.lib.check(this.lib.XGDMatrixFree(this.handle), "XGDMatrixFree");
  }
}

/**
 * A float32 buffer in native (non-moving) memory, for libxgboost's in-place prediction, which takes
 * the data's address in a `__array_interface__` JSON string. Call {@link NativeFloatBuffer.free}.
 */
export class NativeFloatBuffer {
  /** Native address of the first element. */
  readonly address: bigint;
  /** A JS view over the native memory: write inputs here. */
  readonly array: Float32Array;
  private readonly pointer: bigint;
  private freed = false;

  constructor(
    private readonly lib: LibXGBoost,
    readonly length: number,
  ) {
    this.pointer = lib.koffi.alloc("float", Math.max(1, length));
    this.address = lib.koffi.address(this.pointer);
    this.array = new Float32Array(lib.koffi.view(this.pointer, Math.max(1, length) * 4), 0, length);
  }

  /** Releases the native memory (idempotent); `array` must not be used afterwards. */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.lib.koffi.free(this.pointer);
  }
}

/** Configuration of a prediction over all trees: probabilities (type 0) or raw margins (type 1). */
function predictConfig(margin: boolean): string {
  return JSON.stringify({
    type: margin ? 1 : 0,
    training: false,
    iteration_begin: 0,
    iteration_end: 0,
    strict_shape: false,
  });
}

/** An XGBoost `Booster` owned by libxgboost; call {@link XGBBooster.free}. */
export class XGBBooster {
  private freed = false;

  private constructor(
    private readonly lib: LibXGBoost,
    /** The native handle. */
    readonly handle: bigint,
  ) {}

  /** Creates a booster that caches the given matrices (training and evaluation sets). */
  static create(lib: LibXGBoost, cache: readonly XGBDMatrix[]): XGBBooster {
    const out: unknown[] = [null];
    lib.check(
      lib.XGBoosterCreate(
        cache.map((m) => m.handle),
        cache.length,
        out,
      ),
      "XGBoosterCreate",
    );
    return new XGBBooster(lib, out[0] as bigint);
  }

  /** Creates a booster from a saved model (XGBoost JSON text). */
  static fromModelJson(lib: LibXGBoost, json: string): XGBBooster {
    const booster = XGBBooster.create(lib, []);
    const bytes = Buffer.from(json, "utf8");
    try {
      lib.check(lib.XGBoosterLoadModelFromBuffer(booster.handle, bytes, bytes.length), "XGBoosterLoadModelFromBuffer");
    } catch (error) {
      booster.free();
      throw error;
    }
    return booster;
  }

  /** Sets one training parameter (`XGBoosterSetParam`). */
  setParam(name: string, value: string | number | boolean): void {
    this.lib.check(this.lib.XGBoosterSetParam(this.handle, name, String(value)), `XGBoosterSetParam(${name})`);
  }

  /** Sets the booster's feature names (saved as `learner.feature_names` in the JSON model). */
  setFeatureNames(names: readonly string[]): void {
    this.lib.check(
      this.lib.XGBoosterSetStrFeatureInfo(this.handle, "feature_name", [...names], names.length),
      "XGBoosterSetStrFeatureInfo(feature_name)",
    );
  }

  /** Runs one boosting round on `train`. */
  updateOneIter(iteration: number, train: XGBDMatrix): void {
    this.lib.check(this.lib.XGBoosterUpdateOneIter(this.handle, iteration, train.handle), "XGBoosterUpdateOneIter");
  }

  /**
   * Evaluates the metrics on the given sets after round `iteration`; returns them parsed, keyed
   * `"<set>-<metric>"` (from XGBoost's `"[i]\tvalid-logloss:0.52"` text).
   */
  evalOneIter(iteration: number, sets: readonly XGBDMatrix[], names: readonly string[]): Record<string, number> {
    const out: unknown[] = [null];
    this.lib.check(
      this.lib.XGBoosterEvalOneIter(
        this.handle,
        iteration,
        sets.map((s) => s.handle),
        [...names],
        sets.length,
        out,
      ),
      "XGBoosterEvalOneIter",
    );
    const result: Record<string, number> = {};
    for (const part of String(out[0]).split("\t").slice(1)) {
      const colon = part.lastIndexOf(":");
      if (colon > 0) result[part.slice(0, colon)] = Number(part.slice(colon + 1));
    }
    return result;
  }

  /**
   * Predicted probabilities (or, with `margin`, raw log-odds) for every row of `matrix`
   * (`XGBoosterPredictFromDMatrix`).
   */
  predict(matrix: XGBDMatrix, options: { margin?: boolean } = {}): Float32Array {
    const shape: unknown[] = [null];
    const dim: unknown[] = [0];
    const result: unknown[] = [null];
    this.lib.check(
      this.lib.XGBoosterPredictFromDMatrix(
        this.handle,
        matrix.handle,
        predictConfig(options.margin === true),
        shape,
        dim,
        result,
      ),
      "XGBoosterPredictFromDMatrix",
    );
    const dims = readShape(this.lib, shape[0], Number(dim[0]));
    return readFloats(this.lib, result[0], shapeSize(dims));
  }

  /**
   * In-place prediction on dense rows held in native memory (`XGBoosterPredictFromDense`): no
   * DMatrix is built. Rows `firstRow .. firstRow + rows - 1` of `buffer` (row-major, `cols` wide)
   * are used; `NaN` is missing.
   */
  predictDense(buffer: NativeFloatBuffer, rows: number, cols: number, firstRow = 0): Float32Array {
    if ((firstRow + rows) * cols > buffer.length) {
      throw new RouterModelError(
        `rows ${firstRow}..${firstRow + rows - 1} of width ${cols} exceed the buffer's ${buffer.length} values.`,
        {
          field: "predictDense",
        },
      );
    }
    const address = buffer.address + BigInt(firstRow * cols * 4);
    const arrayInterface = `{"data":[${address},true],"shape":[${rows},${cols}],"strides":null,"typestr":"<f4","version":3}`;
    const config = `{"type":0,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false,"cache_id":0,"missing":NaN}`;
    const shape: unknown[] = [null];
    const dim: unknown[] = [0];
    const result: unknown[] = [null];
    this.lib.check(
      this.lib.XGBoosterPredictFromDense(this.handle, arrayInterface, config, null, shape, dim, result),
      "XGBoosterPredictFromDense",
    );
    const dims = readShape(this.lib, shape[0], Number(dim[0]));
    return readFloats(this.lib, result[0], shapeSize(dims));
  }

  /** The model in XGBoost's JSON format (`XGBoosterSaveModelToBuffer` with `{"format":"json"}`). */
  saveJson(): string {
    const length: unknown[] = [0];
    const data: unknown[] = [null];
    this.lib.check(
      this.lib.XGBoosterSaveModelToBuffer(this.handle, JSON.stringify({ format: "json" }), length, data),
      "XGBoosterSaveModelToBuffer",
    );
    const bytes = new Uint8Array(this.lib.koffi.view(data[0], Number(length[0])));
    return Buffer.from(bytes).toString("utf8");
  }

  /**
   * Feature importance (`XGBoosterFeatureScore`), by default `gain`: `{ featureName: score }`, only
   * for features used in at least one split.
   */
  featureScore(
    importanceType: "gain" | "weight" | "cover" | "total_gain" | "total_cover" = "gain",
  ): Record<string, number> {
    const count: unknown[] = [0];
    const features: unknown[] = [null];
    const dim: unknown[] = [0];
    const shape: unknown[] = [null];
    const scores: unknown[] = [null];
    const config = JSON.stringify({ importance_type: importanceType, feature_map: "", feature_names: null });
    this.lib.check(
      this.lib.XGBoosterFeatureScore(this.handle, config, count, features, dim, shape, scores),
      "XGBoosterFeatureScore",
    );
    const n = Number(count[0]);
    const result: Record<string, number> = {};
    if (n === 0) return result;
    const names = this.lib.koffi.decode(features[0], "const char *", n) as string[];
    const dims = readShape(this.lib, shape[0], Number(dim[0]));
    const values = readFloats(this.lib, scores[0], shapeSize(dims));
    names.forEach((name, i) => {
      result[name] = values[i];
    });
    return result;
  }

  /** A new booster holding rounds `[begin, end)` of this one (`XGBoosterSlice`). */
  slice(begin: number, end: number): XGBBooster {
    const out: unknown[] = [null];
    this.lib.check(this.lib.XGBoosterSlice(this.handle, begin, end, 1, out), "XGBoosterSlice");
    return new XGBBooster(this.lib, out[0] as bigint);
  }

  /** Number of boosting rounds in the model. */
  boostedRounds(): number {
    const out = [0];
    this.lib.check(this.lib.XGBoosterBoostedRounds(this.handle, out), "XGBoosterBoostedRounds");
    return out[0];
  }

  /** Releases the native booster (idempotent). */
  free(): void {
    if (this.freed) return;
    this.freed = true;
    this.lib.check(this.lib.XGBoosterFree(this.handle), "XGBoosterFree");
  }
}
