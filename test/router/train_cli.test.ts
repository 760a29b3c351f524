import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { trainCommand } from "../../src/cli/commands/train.js";
import { PyramidConfigError } from "../../src/errors/index.js";
import { loadRouter, loadRouterBundle } from "../../src/router/bundle.js";
import { libXGBoostAvailable } from "../../src/router/train/libxgboost.js";
import { buildGsm8kTraces, TEST_FEATURE_NAMES, writeTraces } from "./gsm8k_traces.js";
import { missing } from "../helpers/requires.js";

const ROOT = join(import.meta.dirname, "../..");

/** Runs the command in-process, capturing what it prints. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void out.push(args.join(" ")));
  const error = vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => void err.push(args.join(" ")));
  try {
    const code = await trainCommand.run(argv);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

describe("pyramid-moa train: flags", () => {
  it("prints its help and refuses bad flags", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.out).toContain("--traces <file>");
    const missing = await run(["--traces", "x.jsonl"]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("--traces and --out are required");
    await expect(run(["--bogus"])).rejects.toThrow(PyramidConfigError);
    await expect(run(["--traces", "a", "--out", "b", "--rounds", "many"])).rejects.toThrow(
      /--rounds: expected an integer, got "many"/,
    );
    await expect(run(["--traces", "a", "--out", "b", "--param", "max_depth"])).rejects.toThrow(
      /--param: expected key=value/,
    );
  });
});

// Needs the real libxgboost: skipped only where it cannot be loaded (CI installs libxgboost0).
describe.skipIf(missing(libXGBoostAvailable(), "libxgboost"))(
  "pyramid-moa train on traces made from real recorded GSM8K outputs",
  () => {
    let dir: string;
    let traces: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), "pyramid-train-cli-"));
      traces = join(dir, "traces.jsonl");
      writeTraces(traces, buildGsm8kTraces());
    });

    it("trains, writes a loadable bundle and prints the validation figures", async () => {
      const out = join(dir, "router.json");
      const result = await run([
        "--traces",
        traces,
        "--out",
        out,
        "--seed",
        "4",
        "--calibration",
        "validation",
        "--validation",
        "0.25",
        "--rounds",
        "60",
        "--param",
        "max_depth=2",
      ]);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(/data set gsm8k: 710 training rows, 237 validation rows/);
      expect(result.out).toMatch(/validation: AUC 0\.\d{3}, log-loss 0\.\d{4}/);
      for (const name of ["economy", "balanced", "baseline-match"])
        expect(result.out).toMatch(new RegExp(`^${name} +0\\.\\d{4}`, "m"));
      expect(result.out).toContain(`wrote ${out}`);
      const bundle = loadRouterBundle(out);
      expect(bundle.metadata.seed).toBe(4);
      expect(bundle.metadata.params?.max_depth).toBe(2);
      expect(bundle.metadata.rounds?.max).toBe(60);
      const router = loadRouter(out);
      expect(router.featureNames).toEqual(TEST_FEATURE_NAMES);
      expect(Object.keys(router.presets ?? {})).toEqual(["economy", "balanced", "baseline-match"]);
    });

    it("cross-validates by default and takes --calibration and --folds", async () => {
      const out = join(dir, "router-cv.json");
      const result = await run(["--traces", traces, "--out", out, "--folds", "4", "--rounds", "40"]);
      expect(result.code).toBe(0);
      expect(result.out).toMatch(
        /data set gsm8k: 947 training rows; presets calibrated on the out-of-fold predictions of 947 rows \(4-fold cross-validation\)/,
      );
      expect(result.out).toMatch(/out-of-fold validation: AUC 0\.\d{3}/);
      const bundle = loadRouterBundle(out);
      expect(bundle.metadata.validation).toMatchObject({ calibration: "cross-validation", folds: 4 });
      await expect(run(["--traces", traces, "--out", out, "--calibration", "holdout"])).rejects.toThrow(
        /--calibration: expected validation or cross-validation, got "holdout"/,
      );
      await expect(run(["--traces", traces, "--out", out, "--folds", "1"])).rejects.toThrow(/trainRouter\.folds/);
    });

    it("runs end to end through the pyramid-moa binary entry point", async () => {
      const out = join(dir, "router-bin.json");
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", join(ROOT, "src/cli/bin.ts"), "train", "--traces", traces, "--out", out, "--rounds", "20"],
        { cwd: ROOT },
      );
      expect(stdout).toContain("baseline-match");
      expect(JSON.parse(readFileSync(out, "utf8")).format).toBe("pyramid-moa-router");
    });

    it("refuses the holdout traces of an eval --train run, pointing at train_traces.jsonl", async () => {
      const evalDir = join(dir, "eval-run");
      mkdirSync(evalDir, { recursive: true });
      writeFileSync(join(evalDir, "run.json"), JSON.stringify({ benchmark: "gsm8k", train: true }));
      writeTraces(join(evalDir, "traces.jsonl"), buildGsm8kTraces().slice(0, 100));
      const out = join(dir, "from-holdout.json");
      await expect(run(["--traces", join(evalDir, "traces.jsonl"), "--out", out])).rejects.toThrow(
        `--traces: ${join(evalDir, "traces.jsonl")} holds the holdout part of an \`eval --train\` run`,
      );
      await expect(run(["--traces", join(evalDir, "traces.jsonl"), "--out", out])).rejects.toThrow(
        `--traces ${join(evalDir, "train_traces.jsonl")}`,
      );
      expect(existsSync(out)).toBe(false);
      // The traces of an eval run without --train (every item) are training data.
      writeFileSync(join(evalDir, "run.json"), JSON.stringify({ benchmark: "gsm8k", train: false }));
      expect((await run(["--traces", join(evalDir, "traces.jsonl"), "--out", out, "--force"])).code).toBe(0);
    });

    it("refuses a router no better than chance (exit 1, nothing written) unless --force", async () => {
      // Every feature constant: no split can separate the crowd's errors, the AUC is 0.5.
      const flat = join(dir, "flat.jsonl");
      writeTraces(
        flat,
        buildGsm8kTraces().map((t) => ({ ...t, features: t.features.map(() => 0) })),
      );
      const out = join(dir, "flat-router.json");
      const refused = await run(["--traces", flat, "--out", out, "--folds", "3", "--rounds", "30"]);
      expect(refused.code).toBe(1);
      expect(refused.err).toMatch(
        /WARNING: this router is no better than chance: its validation AUC is 0\.500.*no tree splits on any feature/,
      );
      expect(refused.err).toContain("Not written.");
      expect(existsSync(out)).toBe(false);
      const forced = await run(["--traces", flat, "--out", out, "--folds", "3", "--rounds", "30", "--force"]);
      expect(forced.code).toBe(0);
      expect(forced.err).toContain("Written anyway (--force).");
      expect(existsSync(out)).toBe(true);
    });

    it("fails with exit code 1 and a readable message on a bad traces file", async () => {
      const run = promisify(execFile)(
        process.execPath,
        [
          "--import",
          "tsx",
          join(ROOT, "src/cli/bin.ts"),
          "train",
          "--traces",
          join(dir, "absent.jsonl"),
          "--out",
          join(dir, "x.json"),
        ],
        { cwd: ROOT },
      );
      await expect(run).rejects.toMatchObject({
        code: 1,
        stderr: expect.stringContaining("absent.jsonl: cannot read the traces file"),
      });
    });
  },
);
