import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LatencyChatModel } from "../../bench/latency_model.js";
import { idealLoadMs } from "../../bench/load.js";
import { summariseProfile } from "../../bench/read_profile.js";
import { formatNumber, markdownReport, mergeReports } from "../../bench/report.js";
import type { BenchReport } from "../../bench/report.js";
import { runBench, suitesOf } from "../../bench/run.js";
import { isHardQuery } from "../../bench/shapes.js";
import { figure, median } from "../../bench/stats.js";
import { CORE_SUITES } from "../../bench/suites.js";
import type { BenchFigure } from "../../bench/types.js";
import { PyramidConfigError } from "../../src/errors/index.js";

/** Checks that a figure is well formed (no timing assertion: only shape and internal consistency). */
function expectWellFormed(f: BenchFigure): void {
  expect(f.section.length).toBeGreaterThan(0);
  expect(f.name.length).toBeGreaterThan(0);
  expect(f.unit.length).toBeGreaterThan(0);
  expect(Number.isFinite(f.value)).toBe(true);
  expect(Number.isFinite(f.baseline)).toBe(true);
  expect(f.value).toBeGreaterThan(0);
  expect(f.baseline).toBeGreaterThan(0);
  expect(f.ratio).toBeCloseTo(f.value / f.baseline, 10);
  expect(f.spread[0]).toBeLessThanOrEqual(f.spread[1]);
  expect(Number.isFinite(f.spread[0]) && Number.isFinite(f.spread[1])).toBe(true);
  if (f.target) expect(typeof f.met).toBe("boolean");
  else expect(f.met).toBeUndefined();
}

const out = mkdtempSync(join(tmpdir(), "pyramid-bench-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("bench suites (quick settings)", () => {
  for (const entry of CORE_SUITES) {
    it(`${entry.name} returns well-formed figures`, async () => {
      const figures = await entry.create(true)();
      expect(figures.length).toBeGreaterThan(0);
      for (const f of figures) expectWellFormed(f);
    }, 180_000); // some suites start server processes: slow on a loaded machine
  }

  it("runBench writes results.md and results.json for the chosen suites", async () => {
    const lines: string[] = [];
    const report = await runBench({ quick: true, only: ["router"], outDir: out, log: (l) => lines.push(l) });
    expect(report.figures.map((f) => f.section)).toEqual(["Router"]);
    const json = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as {
      figures: BenchFigure[];
      quick: boolean;
    };
    expect(json.quick).toBe(true);
    expect(json.figures).toHaveLength(1);
    const md = readFileSync(join(out, "results.md"), "utf8");
    expect(md).toContain("| figure | value | baseline | unit | ratio | spread | target | met? | note |");
    expect(md).toContain("features + predict per query vs a 50 ms member call");
    expect(lines.join("\n")).toContain("== router ==");
  });

  it("runBench rejects an unknown suite name, naming the flag", async () => {
    await expect(runBench({ only: ["nope"], outDir: out, log: () => undefined })).rejects.toBeInstanceOf(
      PyramidConfigError,
    );
  });
});

describe("bench helpers", () => {
  it("figure(): medians, ratio of medians, spread of paired ratios, target", () => {
    const f = figure({ section: "S", name: "n", unit: "ms", values: [2, 4, 3], baselines: [1, 2, 2], maxRatio: 1.25 });
    expect(f.value).toBe(3);
    expect(f.baseline).toBe(2);
    expect(f.ratio).toBe(1.5);
    expect(f.spread).toEqual([1.5, 2]);
    expect(f.target).toBe("<= 1.25x");
    expect(f.met).toBe(false);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it("the load ideal is the longest critical path, and 20% of queries are escalated", () => {
    expect(idealLoadMs(1000, 50, 150)).toBe(200);
    expect(idealLoadMs(1, 50, 150)).toBe(200);
    expect(Array.from({ length: 1000 }, (_, i) => i).filter(isHardQuery)).toHaveLength(200);
  });

  it("LatencyChatModel answers after its latency and rejects a bad latency", async () => {
    const model = new LatencyChatModel({ name: "m", latencyMs: 5, reply: (msgs) => `echo ${msgs.length}` });
    const answer = await model.invoke("hi");
    expect(answer.content).toBe("echo 1");
    expect(answer.usage_metadata?.output_tokens).toBe(2);
    expect(() => new LatencyChatModel({ name: "m", latencyMs: -1, reply: "" })).toThrow(PyramidConfigError);
  });

  it("suitesOf finds <name>Suite / <name>Bench exports and ignores factories", () => {
    const suite = async (): Promise<BenchFigure[]> => [];
    expect(suitesOf({ xgboostBench: suite, runXGBoostBench: suite }, "xgboost")).toEqual([suite]);
    expect(suitesOf({ otherSuite: suite, createOtherSuite: () => suite }, "x")).toEqual([suite]);
    expect(suitesOf({ helper: 1 }, "x")).toEqual([]);
  });

  it("markdownReport lists missed targets and formatNumber keeps ~3 digits", () => {
    const f = figure({ section: "S", name: "slow", unit: "ms", values: [3], baselines: [1], maxRatio: 1.2 });
    const md = markdownReport({
      startedAt: "t",
      totalSeconds: 1,
      machine: { node: "v20", cpus: 2, cpuModel: "cpu", loadStart: [0, 0, 0], loadEnd: [0, 0, 0] },
      quick: false,
      suiteSeconds: {},
      skipped: [{ suite: "llamacpp", reason: "absent" }],
      figures: [f],
    });
    expect(md).toContain("0 of 1 targets met.");
    expect(md).toContain("- Missed: S / slow: 3.00x against <= 1.2x");
    expect(md).toContain("- llamacpp: absent");
    expect(formatNumber(1234.5)).toBe("1235");
    expect(formatNumber(0.01234)).toBe("0.012");
  });

  it("mergeReports replaces the re-run sections in place, appends new ones and lists the update", () => {
    const f = (section: string, name: string, value: number) =>
      figure({ section, name, unit: "ms", values: [value], baselines: [1] });
    const machine = { node: "v20", cpus: 2, cpuModel: "cpu", loadStart: [0, 0, 0], loadEnd: [0, 0, 0] };
    const previous: BenchReport = {
      startedAt: "full",
      totalSeconds: 100,
      machine,
      quick: false,
      suiteSeconds: { A: 1, B: 2 },
      skipped: [{ suite: "b", reason: "failed: x" }],
      figures: [f("A", "a", 1), f("B", "b old", 2), f("C", "c", 3)],
    };
    const current: BenchReport = {
      ...previous,
      startedAt: "partial",
      suiteSeconds: { B: 5, D: 6 },
      skipped: [],
      figures: [f("B", "b new", 4), f("D", "d", 5)],
    };
    const merged = mergeReports(previous, current, ["b", "d"]);
    expect(merged.figures.map((x) => `${x.section}/${x.name}`)).toEqual(["A/a", "B/b new", "C/c", "D/d"]);
    expect(merged.startedAt).toBe("full");
    expect(merged.suiteSeconds).toEqual({ A: 1, B: 5, D: 6 });
    expect(merged.skipped).toEqual([]);
    expect(merged.updates).toEqual([{ startedAt: "partial", suites: ["b", "d"], sections: ["B", "D"], machine }]);
    expect(markdownReport(merged)).toContain(
      'Sections "B", "D" re-run alone on partial (`npm run bench -- --only b,d --merge`)',
    );
  });

  it("summariseProfile attributes self and total time from a V8 cpuprofile", () => {
    const file = join(out, "p.cpuprofile");
    const frame = (functionName: string) => ({
      functionName,
      url: "file:///x/src/a.ts",
      lineNumber: 0,
      columnNumber: 0,
    });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame("(root)"), children: [2] },
        { id: 2, callFrame: frame("outer"), children: [3] },
        { id: 3, callFrame: frame("inner") },
      ],
      startTime: 0,
      endTime: 4000,
      samples: [2, 3, 3, 3],
      timeDeltas: [1000, 1000, 1000, 1000],
    };
    writeFileSync(file, JSON.stringify(profile));
    const summary = summariseProfile(file, "/x");
    expect(summary.totalMs).toBe(4);
    const inner = summary.rows.find((r) => r.fn.startsWith("inner"));
    const outer = summary.rows.find((r) => r.fn.startsWith("outer"));
    expect(inner).toMatchObject({ selfMs: 3, totalMs: 3 });
    expect(outer).toMatchObject({ selfMs: 1, totalMs: 4 });
    expect(inner?.fn).toBe("inner (src/a.ts:1)");
  });
});
