/**
 * The golden results: what `npm run goldens` regenerates (with `--update`) or checks, and what
 * test/golden/goldens.test.ts compares with the stored copies under test/fixtures/golden/.
 *
 * - `<run>.summary.json`: the `summary.json` of an eval run (the demo, MATH zero-shot, MBPP), compared exactly.
 *   Runs that train a router do it with `OMP_NUM_THREADS=1`: libxgboost's histogram sums are reduced per thread,
 *   so only a one-thread training is guaranteed to give the same trees on every machine.
 * - `routers_pfail.json`: every shipped router's P_fail (routers/*.json, routers/holdout/*.json) on the feature
 *   vectors of a fixed set of recorded items, compared to 1e-9.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The repository's root folder. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** Where the stored copies live. */
export const GOLDEN_DIR = join(ROOT, "test/fixtures/golden");
/** The stored P_fail file (in {@link GOLDEN_DIR}). */
export const ROUTERS_PFAIL_FILE = "routers_pfail.json";
/** Items per router in {@link ROUTERS_PFAIL_FILE}: the first ones of the recorded file (in the eval's order). */
export const PFAIL_ITEMS = 40;

/** One eval run whose `summary.json` is pinned. */
export interface SummaryRun {
  /** What it is (the README's name of the row). */
  readonly name: string;
  /** The stored copy, in {@link GOLDEN_DIR}. */
  readonly file: string;
  /** `pyramid-moa eval` arguments (without `--out`). */
  readonly args: readonly string[];
}

/** The pinned runs: the README's three result rows. */
export const SUMMARY_RUNS: readonly SummaryRun[] = [
  { name: "GSM8K, the demo (`npm run demo`)", file: "gsm8k.summary.json", args: ["--benchmark", "gsm8k", "--train"] },
  {
    name: "MATH level 5, GSM8K router zero-shot",
    file: "math-zeroshot.summary.json",
    args: ["--benchmark", "math", "--router", "routers/gsm8k-llama8b-gemma9b-qwen7b.json"],
  },
  { name: "MBPP", file: "mbpp.summary.json", args: ["--benchmark", "mbpp", "--train"] },
];

/** The environment of a golden run: one OpenMP thread (see the module comment). */
export function goldenEnv(): NodeJS.ProcessEnv {
  return { ...process.env, OMP_NUM_THREADS: "1" };
}

/** Runs `pyramid-moa eval <args> --out <tmp> --no-png` and returns the folder. */
export async function runEval(args: readonly string[]): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), "pyramid-golden-"));
  await run(process.execPath, ["--import", "tsx", "src/cli/bin.ts", "eval", ...args, "--out", out, "--no-png"], {
    cwd: ROOT,
    env: goldenEnv(),
    maxBuffer: 64 * 1024 * 1024,
  });
  return out;
}

/** The `summary.json` of a fresh run, parsed. */
export async function freshSummary(spec: SummaryRun): Promise<unknown> {
  const out = await runEval(spec.args);
  try {
    return JSON.parse(readFileSync(join(out, "summary.json"), "utf8"));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** One recorded item's feature vector (null = NaN, as in traces) and the P_fail the router gave it. */
export interface PFailItem {
  readonly id: string;
  readonly features: readonly (number | null)[];
  readonly pFail: number;
}

/** The stored P_fail of every shipped router, keyed by its path from the root. */
export type RoutersPFail = Record<
  string,
  { readonly benchmark: string; readonly featureNames: readonly string[]; readonly items: readonly PFailItem[] }
>;

/** The shipped router bundles, as paths from the root. */
export function shippedRouters(): string[] {
  const list = (dir: string): string[] =>
    readdirSync(join(ROOT, dir))
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => `${dir}/${f}`);
  return [...list("routers"), ...list("routers/holdout")];
}

/** The benchmark a shipped router was trained on (its file name starts with it). */
export function benchmarkOf(router: string): string {
  const name = router.split("/").pop() ?? "";
  const benchmark = name.split("-")[0];
  if (!["gsm8k", "mbpp", "math", "mmlu", "humaneval"].includes(benchmark)) {
    throw new Error(`${router}: cannot tell its benchmark from the file name (expected <benchmark>-...json)`);
  }
  return benchmark;
}

/** Each shipped router's P_fail on the first {@link PFAIL_ITEMS} recorded items of its benchmark, from an eval run. */
export async function freshRoutersPFail(): Promise<RoutersPFail> {
  const result: RoutersPFail = {};
  for (const router of shippedRouters()) {
    const benchmark = benchmarkOf(router);
    const out = await runEval(["--benchmark", benchmark, "--router", router, "--limit", String(PFAIL_ITEMS)]);
    try {
      const traces = readFileSync(join(out, "traces.jsonl"), "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as PFailItem & { featureNames: string[] });
      const items = traces
        .map(({ id, features, pFail }) => ({ id, features, pFail }))
        .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      result[router] = { benchmark, featureNames: traces[0]?.featureNames ?? [], items };
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  return result;
}
