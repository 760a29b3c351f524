import { createRequire } from "node:module";
import { MissingDependencyError, RouterModelError } from "../../errors/index.js";

/** Install command shown when libxgboost (or koffi) cannot be loaded. */
export const LIBXGBOOST_INSTALL_HINT =
  "install the XGBoost C library with `apt-get install -y libxgboost0` (Debian/Ubuntu), or set PYRAMID_LIBXGBOOST to the path of libxgboost.so";

/** Places where libxgboost is looked for, in order, when `PYRAMID_LIBXGBOOST` is not set. */
export const LIBXGBOOST_CANDIDATES: readonly string[] = [
  "libxgboost.so.0",
  "libxgboost.so",
  "/usr/lib/x86_64-linux-gnu/libxgboost.so.0",
  "/usr/lib/aarch64-linux-gnu/libxgboost.so.0",
  "/usr/local/lib/libxgboost.so",
  "/usr/lib/libxgboost.so",
  "libxgboost.dylib",
];

/** A native pointer as koffi 3 represents it. */
type Pointer = bigint;
/** A koffi-bound native function (koffi's own type is `(...args: any[]) => any`). */
type NativeFunction = (...args: unknown[]) => unknown;

interface KoffiLibrary {
  func(definition: string): NativeFunction;
}

interface KoffiModule {
  load(path: string): KoffiLibrary;
  pointer(name: string, ref: unknown): unknown;
  opaque(): unknown;
  decode(ptr: unknown, type: string, length?: number): unknown;
  view(ptr: unknown, length: number): ArrayBuffer;
  alloc(type: string, length: number): Pointer;
  free(ptr: unknown): void;
  address(value: unknown): bigint;
}

/**
 * The subset of the XGBoost C API (`c_api.h`) that pyramid-moa uses, bound with koffi.
 *
 * Every function returns XGBoost's status code (0 on success); {@link LibXGBoost.check} turns a
 * failure into an error carrying `XGBGetLastError()`. Handles are koffi pointers (`bigint`).
 */
export interface LibXGBoost {
  /** Path the library was loaded from. */
  readonly path: string;
  /** `[major, minor, patch]` from `XGBoostVersion`. */
  readonly version: readonly [number, number, number];
  /** The koffi module (for decoding output pointers). */
  readonly koffi: KoffiModule;
  /** Throws a {@link RouterModelError} with `XGBGetLastError()` when `status` is not 0. */
  check(status: unknown, call: string): void;
  readonly XGDMatrixCreateFromMat: NativeFunction;
  readonly XGDMatrixSetFloatInfo: NativeFunction;
  readonly XGDMatrixSetStrFeatureInfo: NativeFunction;
  readonly XGDMatrixNumRow: NativeFunction;
  readonly XGDMatrixFree: NativeFunction;
  readonly XGBoosterCreate: NativeFunction;
  readonly XGBoosterFree: NativeFunction;
  readonly XGBoosterSetParam: NativeFunction;
  readonly XGBoosterUpdateOneIter: NativeFunction;
  readonly XGBoosterEvalOneIter: NativeFunction;
  readonly XGBoosterPredict: NativeFunction;
  readonly XGBoosterPredictFromDMatrix: NativeFunction;
  readonly XGBoosterPredictFromDense: NativeFunction;
  readonly XGBoosterSaveModelToBuffer: NativeFunction;
  readonly XGBoosterLoadModelFromBuffer: NativeFunction;
  readonly XGBoosterFeatureScore: NativeFunction;
  readonly XGBoosterSetStrFeatureInfo: NativeFunction;
  readonly XGBoosterSlice: NativeFunction;
  readonly XGBoosterBoostedRounds: NativeFunction;
  readonly XGBSetGlobalConfig: NativeFunction;
}

/** Loaded libraries by path (one per process and path). */
const loaded = new Map<string, LibXGBoost>();
let handleTypesDeclared = false;

function loadKoffi(): KoffiModule {
  const require = createRequire(import.meta.url);
  try {
    return require("koffi") as KoffiModule;
  } catch (cause) {
    throw new MissingDependencyError(
      "the koffi FFI package, needed to call libxgboost for training, is not installed.",
      {
        fix: "run `npm install koffi` in your project (training only; inference needs no native code).",
        cause,
      },
    );
  }
}

function openLibrary(koffi: KoffiModule, fromEnv: string | undefined): LibXGBoost {
  const candidates = fromEnv ? [fromEnv] : LIBXGBOOST_CANDIDATES;
  const failures: string[] = [];
  for (const path of candidates) {
    const known = loaded.get(path);
    if (known) return known;
    try {
      const lib = bind(koffi, koffi.load(path), path);
      loaded.set(path, lib);
      return lib;
    } catch (error) {
      failures.push(`${path} (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  throw new MissingDependencyError(`libxgboost could not be loaded; tried ${failures.join("; ")}.`, {
    field: fromEnv ? "PYRAMID_LIBXGBOOST" : undefined,
    fix: LIBXGBOOST_INSTALL_HINT,
  });
}

function bind(koffi: KoffiModule, lib: KoffiLibrary, path: string): LibXGBoost {
  if (!handleTypesDeclared) {
    koffi.pointer("DMatrixHandle", koffi.opaque());
    koffi.pointer("BoosterHandle", koffi.opaque());
    handleTypesDeclared = true;
  }
  const f = (definition: string): NativeFunction => lib.func(definition);
  const XGBGetLastError = f("const char *XGBGetLastError()");
  const XGBoostVersion = f("void XGBoostVersion(_Out_ int *major, _Out_ int *minor, _Out_ int *patch)");
  const major = [0];
  const minor = [0];
  const patch = [0];
  XGBoostVersion(major, minor, patch);
  return {
    path,
    version: [major[0], minor[0], patch[0]],
    koffi,
    check(status: unknown, call: string): void {
      if (status === 0) return;
      const message = String(XGBGetLastError());
      throw new RouterModelError(`libxgboost ${call} failed: ${message}`, {
        fix: "check the training data and parameters; the message above is XGBoost's own.",
      });
    },
    XGDMatrixCreateFromMat: f(
      "int XGDMatrixCreateFromMat(const float *data, uint64_t nrow, uint64_t ncol, float missing, _Out_ DMatrixHandle *out)",
    ),
    XGDMatrixSetFloatInfo: f(
      "int XGDMatrixSetFloatInfo(DMatrixHandle handle, const char *field, const float *array, uint64_t len)",
    ),
    XGDMatrixSetStrFeatureInfo: f(
      "int XGDMatrixSetStrFeatureInfo(DMatrixHandle handle, const char *field, const char **features, uint64_t size)",
    ),
    XGDMatrixNumRow: f("int XGDMatrixNumRow(DMatrixHandle handle, _Out_ uint64_t *out)"),
    XGDMatrixFree: f("int XGDMatrixFree(DMatrixHandle handle)"),
    XGBoosterCreate: f("int XGBoosterCreate(DMatrixHandle *dmats, uint64_t len, _Out_ BoosterHandle *out)"),
    XGBoosterFree: f("int XGBoosterFree(BoosterHandle handle)"),
    XGBoosterSetParam: f("int XGBoosterSetParam(BoosterHandle handle, const char *name, const char *value)"),
    XGBoosterUpdateOneIter: f("int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain)"),
    XGBoosterEvalOneIter: f(
      "int XGBoosterEvalOneIter(BoosterHandle handle, int iter, DMatrixHandle *dmats, const char **evnames, uint64_t len, _Out_ const char **out_result)",
    ),
    XGBoosterPredict: f(
      "int XGBoosterPredict(BoosterHandle handle, DMatrixHandle dmat, int option_mask, unsigned int ntree_limit, int training, _Out_ uint64_t *out_len, _Out_ void **out_result)",
    ),
    XGBoosterPredictFromDMatrix: f(
      "int XGBoosterPredictFromDMatrix(BoosterHandle handle, DMatrixHandle dmat, const char *config, _Out_ void **out_shape, _Out_ uint64_t *out_dim, _Out_ void **out_result)",
    ),
    XGBoosterPredictFromDense: f(
      "int XGBoosterPredictFromDense(BoosterHandle handle, const char *values, const char *config, DMatrixHandle m, _Out_ void **out_shape, _Out_ uint64_t *out_dim, _Out_ void **out_result)",
    ),
    XGBoosterSaveModelToBuffer: f(
      "int XGBoosterSaveModelToBuffer(BoosterHandle handle, const char *config, _Out_ uint64_t *out_len, _Out_ void **out_dptr)",
    ),
    XGBoosterLoadModelFromBuffer: f(
      "int XGBoosterLoadModelFromBuffer(BoosterHandle handle, const uint8_t *buf, uint64_t len)",
    ),
    XGBoosterFeatureScore: f(
      "int XGBoosterFeatureScore(BoosterHandle handle, const char *config, _Out_ uint64_t *out_n_features, _Out_ void **out_features, _Out_ uint64_t *out_dim, _Out_ void **out_shape, _Out_ void **out_scores)",
    ),
    XGBoosterSetStrFeatureInfo: f(
      "int XGBoosterSetStrFeatureInfo(BoosterHandle handle, const char *field, const char **features, uint64_t size)",
    ),
    XGBoosterSlice: f(
      "int XGBoosterSlice(BoosterHandle handle, int begin_layer, int end_layer, int step, _Out_ BoosterHandle *out)",
    ),
    XGBoosterBoostedRounds: f("int XGBoosterBoostedRounds(BoosterHandle handle, _Out_ int *out)"),
    XGBSetGlobalConfig: f("int XGBSetGlobalConfig(const char *config)"),
  };
}

/**
 * Loads libxgboost (once per process) from `$PYRAMID_LIBXGBOOST` or the usual system paths.
 *
 * @throws MissingDependencyError when koffi or the library cannot be loaded; the message says
 *   `apt-get install -y libxgboost0`.
 */
export function loadLibXGBoost(): LibXGBoost {
  const fromEnv = process.env.PYRAMID_LIBXGBOOST;
  const lib = openLibrary(loadKoffi(), fromEnv && fromEnv.length > 0 ? fromEnv : undefined);
  lib.check(lib.XGBSetGlobalConfig('{"verbosity":0}'), "XGBSetGlobalConfig");
  return lib;
}

/** Whether libxgboost can be loaded here (used to skip training tests on machines without it). */
export function libXGBoostAvailable(): boolean {
  try {
    loadLibXGBoost();
    return true;
  } catch {
    return false;
  }
}
