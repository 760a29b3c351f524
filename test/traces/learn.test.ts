import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRouter } from "../../src/router/bundle.js";
import { labelTraffic } from "../../src/traces/labels.js";
import { estimateOracleAccuracy } from "../../src/traces/index.js";
import { readTraffic } from "../../src/traces/read.js";
import type { TrafficRecord } from "../../src/traces/read.js";
import type { QueryTraceLine } from "../../src/traces/schema.js";
import { TraceWriter } from "../../src/traces/writer.js";
import { seededRandom } from "../../src/utils/random.js";
import { runCli } from "../cli/capture.js";

const dir = mkdtempSync(join(tmpdir(), "pyramid-learn-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Query {
  voteShare: number;
  signal: number;
  crowdWrong: boolean;
  time?: string;
}

function queryLine(id: string, q: Query, escalated: boolean, shadowScheduled: boolean, rate: number): QueryTraceLine {
  const crowdAnswer = q.crowdWrong ? "1" : "2";
  const pFail = 1 - q.voteShare;
  return {
    type: "query",
    id,
    time: q.time ?? "2026-12-01T10:00:00.000Z",
    featureNames: ["vote_share", "signal"],
    features: [q.voteShare, q.signal],
    candidates: [{ model: "a", tier: 0, answer: crowdAnswer, costUsd: 0.001, latencyMs: 1 }],
    crowdAnswer,
    apexAnswer: escalated ? "2" : null,
    pFail,
    threshold: 0.5,
    escalated,
    reachedApex: escalated,
    tier: escalated ? 1 : 0,
    decisions: [{ tier: 0, pFail, threshold: 0.5, escalated }],
    finalAnswer: escalated ? "2" : crowdAnswer,
    cost: { crowd: 0.001, oracle: escalated ? 0.01 : 0, total: escalated ? 0.011 : 0.001, oracleOnly: 0.01 },
    latencyMs: 5,
    shadowScheduled,
    shadowRate: rate,
    task: "math",
  };
}

/**
 * Writes traffic as the pyramid would (agreement rule at 0.5, apex always right with answer "2"): escalated queries
 * carry the apex's answer, a `rate` fraction of the kept ones get a shadow line. Returns the file.
 */
function writeTraffic(name: string, queries: readonly Query[], rate: number, seed = 1): string {
  const file = join(dir, name);
  const writer = new TraceWriter({ path: file });
  const draw = seededRandom(seed);
  queries.forEach((q, i) => {
    const id = `q_${String(i).padStart(6, "0")}`;
    const escalated = 1 - q.voteShare > 0.5;
    const shadow = !escalated && draw() < rate;
    writer.append(queryLine(id, q, escalated, shadow, rate));
    if (shadow)
      writer.append({
        type: "shadow",
        id,
        time: q.time ?? "2026-12-01T10:00:00.000Z",
        apexAnswer: "2",
        agrees: !q.crowdWrong,
        costUsd: 0.01,
        latencyMs: 3,
      });
  });
  writer.close();
  return file;
}

/** Queries whose crowd is wrong mostly when `signal` is high, which the vote share does not show. */
function syntheticQueries(n: number, seed: number, informative = true, errorBoost = 0, time?: string): Query[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const voteShare = [1, 1, 2 / 3, 1 / 3][Math.floor(random() * 4)];
    const signal = random();
    const p = informative ? (signal > 0.75 ? 0.7 : 0.03) + (voteShare < 0.5 ? 0.3 : 0) + errorBoost : 0.25 + errorBoost;
    return { voteShare, signal, crowdWrong: random() < p, ...(time ? { time } : {}) };
  });
}

describe("labels from traffic", () => {
  it("weights escalated queries 1 and shadowed ones 1/rate, discounts disagreements by P_oracle, prefers feedback", () => {
    const mk = (
      id: string,
      escalated: boolean,
      wrong: boolean,
      shadow: boolean,
      feedback?: boolean,
    ): TrafficRecord => ({
      query: queryLine(id, { voteShare: escalated ? 1 / 3 : 1, signal: 0, crowdWrong: wrong }, escalated, shadow, 0.2),
      ...(shadow
        ? { shadow: { type: "shadow", id, time: "t", apexAnswer: "2", agrees: !wrong, costUsd: 0.01, latencyMs: 1 } }
        : {}),
      ...(feedback !== undefined ? { feedback: { type: "feedback", id, time: "t", correct: feedback } } : {}),
    });
    const records = [
      mk("e", true, true, false),
      mk("s1", false, false, true),
      mk("s2", false, true, true),
      mk("k", false, false, false),
      mk("f", false, true, false, false),
    ];
    const apex = labelTraffic(records, "apex", 0.9);
    expect(apex.rows.map((r) => [r.record.query.id, r.weight, r.crowdWrong])).toEqual([
      ["e", 1, true],
      ["s1", 5, false],
      ["s2", 5, true],
    ]);
    // d = (1 + 5) / 11; c = (1 - d) / 0.9; a disagreement is a crowd error with probability (1 - c) / d.
    const d = 6 / 11;
    const c = (1 - d) / 0.9;
    expect(apex.crowdAccuracy).toBeCloseTo(c, 10);
    expect(apex.rows[0].label).toBeCloseTo((1 - c) / d, 10);
    expect(apex.rows[1].label).toBe(0);
    expect(labelTraffic(records, "apex", 1).rows[0].label).toBe(1);
    const auto = labelTraffic(records, "auto", 0.9);
    expect(auto.rows.find((r) => r.record.query.id === "f")).toMatchObject({ source: "feedback", label: 1, weight: 1 });
    expect(labelTraffic(records, "feedback").rows.map((r) => r.record.query.id)).toEqual(["f"]);
  });
});

describe("P_oracle from feedback", () => {
  it("reads the apex's correctness from feedback on escalated and shadowed queries, weighting shadowed ones 1/rate", () => {
    const rate = 0.2;
    const mk = (
      id: string,
      escalated: boolean,
      wrong: boolean,
      agrees?: boolean,
      correct?: boolean,
    ): TrafficRecord => ({
      query: queryLine(
        id,
        { voteShare: escalated ? 1 / 3 : 1, signal: 0, crowdWrong: wrong },
        escalated,
        agrees !== undefined,
        rate,
      ),
      ...(agrees !== undefined
        ? {
            shadow: {
              type: "shadow",
              id,
              time: "t",
              apexAnswer: agrees ? "x" : "y",
              agrees,
              costUsd: 0.01,
              latencyMs: 1,
            },
          }
        : {}),
      ...(correct !== undefined ? { feedback: { type: "feedback", id, time: "t", correct } } : {}),
    });
    const estimate = estimateOracleAccuracy([
      mk("e1", true, true, undefined, true), // the apex's answer was returned and judged right
      mk("e2", true, true, undefined, false), // ... judged wrong
      mk("s1", false, false, true, true), // crowd right, apex agreed: apex right (weight 5)
      mk("s2", false, true, false, false), // crowd wrong, apex disagreed: tells nothing
      mk("s3", false, true, true, false), // crowd wrong, apex agreed: apex wrong (weight 5)
      mk("k", false, false, undefined, true), // no apex answer
      mk("e3", true, true), // no feedback
    ]);
    expect(estimate?.judged).toBe(4);
    expect(estimate?.estimate).toBeCloseTo(6 / 12, 10);
    expect(estimate?.effective).toBeCloseTo(144 / 52, 10);
    expect(estimate?.lower).toBeLessThan(0.5);
    expect(estimate?.upper).toBeGreaterThan(0.5);
    expect(estimateOracleAccuracy([mk("k", false, false)])).toBeUndefined();
  });

  it("train --oracle-accuracy auto estimates it, uses it for the labels, and refuses on too little feedback", async () => {
    const file = writeTraffic("feedback.jsonl", syntheticQueries(1500, 5), 0.3);
    const escalated = readTraffic(file).records.filter((r) => r.query.reachedApex);
    const withFeedback = (name: string, count: number): string => {
      const copy = join(dir, name);
      writeFileSync(copy, readFileSync(file));
      const writer = new TraceWriter({ path: copy });
      // Nine in ten of the judged apex answers are right.
      escalated.slice(0, count).forEach((r, i) => {
        writer.append({ type: "feedback", id: r.query.id, time: "2026-12-01T11:00:00.000Z", correct: i % 10 !== 0 });
      });
      writer.close();
      return copy;
    };
    const out = join(dir, "auto-oracle.json");
    const args = (traces: string, to: string) => [
      ...["train", "--traces", traces, "--out", to],
      ...["--labels", "apex", "--oracle-accuracy", "auto"],
    ];
    const result = await runCli(args(withFeedback("feedback-200.jsonl", 200), out));
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /P_oracle 0\.900 \(estimated from 200 apex answers judged by feedback, 95% interval 0\.8\d\d-0\.9\d\d\)/,
    );
    const validation = (JSON.parse(readFileSync(out, "utf8")) as { metadata: { validation: Record<string, unknown> } })
      .metadata.validation;
    expect(validation.oracleAccuracyAssumed).toBeCloseTo(0.9, 10);
    expect(validation.oracleAccuracyJudged).toBe(200);

    const few = await runCli(args(withFeedback("feedback-12.jsonl", 12), join(dir, "few-oracle.json")));
    expect(few.code).toBe(1);
    expect(few.stderr).toMatch(
      /too little feedback to estimate P_oracle: 12 apex answers judged by feedback, at least 30/,
    );
    expect(few.stderr).toContain("--oracle-accuracy");
    expect(existsSync(join(dir, "few-oracle.json"))).toBe(false);
  }, 900_000);
});

describe("pyramid-moa train --labels", () => {
  it("refuses too few labels, saying how many more queries are needed", async () => {
    const file = writeTraffic("few.jsonl", syntheticQueries(120, 3), 0.2);
    const result = await runCli(["train", "--traces", file, "--out", join(dir, "few.json"), "--labels", "apex"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /too few labels to train a router: \d+ labelled queries \(\d+ crowd errors\) of 120 queries/,
    );
    expect(result.stderr).toMatch(
      /about \d+ more labelled queries are needed \(about \d+ more queries of traffic at the current rate of [\d.]+% labelled\)/,
    );
    expect(existsSync(join(dir, "few.json"))).toBe(false);
  });

  it("keeps a router not worse than the agreement rule with confidence, saying the paired difference", async () => {
    const file = writeTraffic("noise.jsonl", syntheticQueries(1500, 4, false), 0.3);
    const out = join(dir, "noise.json");
    const result = await runCli(["train", "--traces", file, "--out", out, "--labels", "apex"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const line =
      /paired on the same folds: AUC difference ([+-][\d.]+) \(router [\d.]+ - agreement rule [\d.]+, mean over (\d+) held folds: 5 repetitions of 5-fold cross-validation, the same folds for both; 90% interval ([+-][\d.]+) to ([+-][\d.]+)\); (.*)$/m.exec(
        result.stdout,
      );
    expect(line).not.toBeNull();
    const [difference, folds, lower, upper] = [line?.[1], line?.[2], line?.[3], line?.[4]].map(Number);
    expect(folds).toBe(25);
    expect(lower).toBeLessThan(difference);
    expect(upper).toBeGreaterThan(difference);
    expect(upper).toBeGreaterThanOrEqual(0);
    expect(line?.[5]).toMatch(/not worse with confidence, so kept|better with confidence/);
    const comparison = (
      JSON.parse(readFileSync(out, "utf8")) as { metadata: { validation: { comparison: Record<string, number> } } }
    ).metadata.validation.comparison;
    expect(comparison.folds).toBe(25);
    expect(comparison.difference).toBeCloseTo(difference, 3);
  }, 600_000);

  it("refuses a router worse than the agreement rule with confidence, in numbers", async () => {
    // The vote share tells the crowd's errors; an unconstrained, unregularised router chases the noise in `signal`.
    const random = seededRandom(11);
    const queries = Array.from({ length: 1500 }, () => {
      const voteShare = [1, 1, 2 / 3, 1 / 3][Math.floor(random() * 4)];
      return {
        voteShare,
        signal: random(),
        crowdWrong: random() < (voteShare < 0.5 ? 0.8 : voteShare < 1 ? 0.3 : 0.05),
      };
    });
    const file = writeTraffic("overfit.jsonl", queries, 0.5);
    const out = join(dir, "overfit.json");
    const overfit = ["eta=1", "max_depth=8", "min_child_weight=0", "lambda=0", "monotone_constraints=(0,0)"];
    const args = [
      "train",
      "--traces",
      file,
      "--out",
      out,
      "--labels",
      "apex",
      ...overfit.flatMap((p) => ["--param", p]),
    ];
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /the router trained from traffic is worse than the agreement rule: AUC difference -[\d.]+ \(router [\d.]+ - agreement rule [\d.]+, mean over 25 held folds: 5 repetitions of 5-fold cross-validation, the same folds for both; 90% interval -[\d.]+ to -[\d.]+\), on \d+ labelled queries/,
    );
    expect(existsSync(out)).toBe(false);
    const forced = await runCli([...args, "--force"]);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("worse with confidence, written because of --force");
  }, 600_000);

  it("trains a weighted router from apex labels that beats the agreement rule and loads as a router", async () => {
    const file = writeTraffic("good.jsonl", syntheticQueries(1500, 5), 0.3);
    const out = join(dir, "from-traffic.json");
    const result = await runCli([
      "train",
      "--traces",
      file,
      "--out",
      out,
      "--labels",
      "apex",
      "--oracle-accuracy",
      "0.95",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const auc = /weighted out-of-fold AUC: router ([\d.]+), agreement rule ([\d.]+)/.exec(result.stdout);
    expect(Number(auc?.[1])).toBeGreaterThan(Number(auc?.[2]));
    const bundle = JSON.parse(readFileSync(out, "utf8")) as {
      metadata: { validation: Record<string, unknown> };
      presets: Record<string, number>;
    };
    expect(bundle.metadata.validation.labels).toBe("apex");
    expect(bundle.metadata.validation.oracleAccuracyAssumed).toBe(0.95);
    const router = loadRouter(out);
    const high = router.predict({ names: ["vote_share", "signal"], values: [1, 0.95] });
    const low = router.predict({ names: ["vote_share", "signal"], values: [1, 0.1] });
    expect(high).toBeGreaterThan(low + 0.2);
    expect(Object.keys(bundle.presets).sort()).toEqual([
      "balanced",
      "balanced-guaranteed",
      "baseline-match",
      "baseline-match-guaranteed",
      "economy",
      "economy-guaranteed",
    ]);
  }, 600_000);
});

describe("champion and challenger (pyramid-moa train --champion, report --champion)", () => {
  it("replaces the served router only when the retrained one beats it on the new labels, and reports it over time", async () => {
    // The champion: trained with --force on traffic where nothing tells the crowd's errors.
    const champion = join(dir, "champion.json");
    const noise = writeTraffic("champion-noise.jsonl", syntheticQueries(1500, 21, false), 0.3);
    expect((await runCli(["train", "--traces", noise, "--out", champion, "--labels", "apex", "--force"])).code).toBe(0);
    const served = join(dir, "served.json");
    writeFileSync(served, readFileSync(champion));
    const newTraffic = writeTraffic("champion-new.jsonl", syntheticQueries(1500, 22), 0.3);
    const first = await runCli([
      "train",
      "--traces",
      newTraffic,
      "--out",
      served,
      "--labels",
      "apex",
      "--champion",
      served,
    ]);
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /challenger AUC [\d.]+ \(out of fold\) vs champion [\d.]+ on \d+ labelled queries: \+[\d.]+ \(90% interval \+[\d.]+ to \+[\d.]+, 1000 paired bootstrap resamples\); the challenger replaces the champion/,
    );
    expect(readFileSync(served, "utf8")).not.toBe(readFileSync(champion, "utf8"));
    // Retrained on more traffic of the same kind: no better with confidence, so the served router stays.
    const before = readFileSync(served, "utf8");
    const more = writeTraffic("champion-more.jsonl", syntheticQueries(1500, 23), 0.3);
    const second = await runCli(["train", "--traces", more, "--out", served, "--labels", "apex", "--champion", served]);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("the champion stays (the challenger is not better with confidence)");
    expect(second.stdout).toContain(`kept the champion: ${served} not written`);
    expect(readFileSync(served, "utf8")).toBe(before);
    const report = await runCli([
      ...["report", "--traces", more, "--out", join(dir, "champion-report")],
      ...["--champion", `${served}.champion.jsonl`, "--no-png"],
    ]);
    expect(report.code).toBe(0);
    const rows = report.stdout.split("\n").filter((line) => /^\| \d{4}-/.test(line));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/\| replaced \|$/);
    expect(rows[1]).toMatch(/\| champion kept \|$/);
    expect(readFileSync(join(dir, "champion-report", "champion.md"), "utf8")).toContain(rows[1]);
  }, 900_000);
});

describe("pyramid-moa report", () => {
  it("writes the windows, plots and flags the day whose kept error rose above the preset's value", async () => {
    const queries = [
      ...syntheticQueries(600, 6, true, 0, "2026-12-01T08:00:00.000Z"),
      ...syntheticQueries(600, 7, true, 0.3, "2026-12-02T08:00:00.000Z"),
    ];
    const file = writeTraffic("drift.jsonl", queries, 0.3);
    const out = join(dir, "report");
    const result = await runCli(["report", "--traces", file, "--out", out, "--expected-kept-error", "0.2"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("FLAGGED: kept error above 20.0% in 2026-12-02");
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as {
      windows: { label: string; flagged: boolean; keptError: number; escalationRate: number; saving: number }[];
    };
    expect(report.windows.map((w) => [w.label, w.flagged])).toEqual([
      ["2026-12-01", false],
      ["2026-12-02", true],
    ]);
    expect(report.windows[1].keptError).toBeGreaterThan(report.windows[0].keptError);
    for (const w of report.windows) expect(w.saving).toBeCloseTo(1 - (0.001 + w.escalationRate * 0.01) / 0.01, 6);
    const svg = readFileSync(join(out, "windows.svg"), "utf8");
    expect(svg).toContain('data-name="flagged window"');
    expect(svg).toContain('data-name="expected kept error"');
    expect(readFileSync(join(out, "calibration.svg"), "utf8")).toContain("router P_fail (IPW bins)");
    expect(readFileSync(join(out, "windows.png")).subarray(1, 4).toString()).toBe("PNG");
    const byCount = await runCli([
      "report",
      "--traces",
      file,
      "--out",
      join(dir, "report-n"),
      "--every",
      "400",
      "--no-png",
    ]);
    expect(byCount.code).toBe(0);
    expect(readFileSync(join(dir, "report-n", "report.md"), "utf8")).toContain("| 801-1200 |");
    expect(readTraffic(file).records).toHaveLength(1200);
  }, 60_000);
});
