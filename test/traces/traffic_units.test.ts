import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError } from "../../src/index.js";
import { wilsonInterval } from "../../src/router/calibration/reliability.js";
import { labelTraffic } from "../../src/traces/labels.js";
import { estimateOracleAccuracy } from "../../src/traces/oracle_accuracy.js";
import { readTraffic, trafficFiles } from "../../src/traces/read.js";
import type { TrafficRecord } from "../../src/traces/read.js";
import { sanitizeTraceLine } from "../../src/traces/sanitize.js";
import type { FeedbackTraceLine, QueryTraceLine, ShadowTraceLine } from "../../src/traces/schema.js";
import { thrownBy } from "../helpers/thrown.js";

// Reading, labelling and sanitising production traces, value by value (edges found by mutation testing,
// docs/testing.md).

const dir = mkdtempSync(join(tmpdir(), "traffic-units-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function query(id: string, fields: Partial<QueryTraceLine> = {}): QueryTraceLine {
  return {
    type: "query",
    id,
    time: "2026-12-01T10:00:00.000Z",
    featureNames: ["vote_share"],
    features: [1],
    candidates: [{ model: "a", tier: 0, answer: "1", costUsd: 0.001, latencyMs: 1 }],
    crowdAnswer: "1",
    apexAnswer: null,
    pFail: 0.1,
    threshold: 0.5,
    escalated: false,
    reachedApex: false,
    tier: 0,
    decisions: [{ tier: 0, pFail: 0.1, threshold: 0.5, escalated: false }],
    finalAnswer: "1",
    cost: { crowd: 0.001, oracle: 0, total: 0.001, oracleOnly: 0.01 },
    latencyMs: 5,
    shadowScheduled: false,
    shadowRate: 0.25,
    task: "math",
    ...fields,
  };
}

const shadow = (id: string, agrees: boolean | null): ShadowTraceLine => ({
  type: "shadow",
  id,
  time: "2026-12-01T10:00:01.000Z",
  apexAnswer: "2",
  agrees,
  costUsd: 0.01,
  latencyMs: 3,
});

const feedback = (id: string, correct: boolean, time = "2026-12-01T11:00:00.000Z"): FeedbackTraceLine => ({
  type: "feedback",
  id,
  time,
  correct,
});

const jsonl = (lines: readonly unknown[]) => lines.map((line) => JSON.stringify(line)).join("\n");

describe("trafficFiles: a trace's own, per-worker and rotated files", () => {
  it("lists the file and every <stem>.<something><ext> beside it, sorted, and nothing else", () => {
    const folder = join(dir, "files");
    mkdirSync(folder);
    for (const name of [
      "traffic.jsonl",
      "traffic.w2.jsonl",
      "traffic.20261207T101010-1-1.jsonl",
      "traffic..jsonl", // nothing between the stem and the extension
      "traffic.jsonl.bak",
      "traffic.w2.txt",
      "other.jsonl",
      "trafficx.jsonl",
    ])
      writeFileSync(join(folder, name), "");
    expect(trafficFiles(join(folder, "traffic.jsonl"))).toEqual([
      join(folder, "traffic.20261207T101010-1-1.jsonl"),
      join(folder, "traffic.jsonl"),
      join(folder, "traffic.w2.jsonl"),
    ]);
  });

  it("finds the worker files even when the named file itself does not exist; nothing in a missing folder", () => {
    const folder = join(dir, "workers");
    mkdirSync(folder);
    writeFileSync(join(folder, "t.w1.jsonl"), "");
    expect(trafficFiles(join(folder, "t.jsonl"))).toEqual([join(folder, "t.w1.jsonl")]);
    expect(trafficFiles(join(dir, "no-such-folder", "t.jsonl"))).toEqual([]);
  });
});

describe("readTraffic: joins queries with their shadow call and feedback", () => {
  it("orders queries by time then id, keeps the last feedback, and counts orphans once per id", () => {
    const file = join(dir, "join.jsonl");
    writeFileSync(
      file,
      `${jsonl([
        query("b", { time: "2026-12-01T10:00:00.000Z" }),
        query("c", { time: "2026-12-01T09:00:00.000Z" }),
        query("a", { time: "2026-12-01T10:00:00.000Z" }),
        shadow("a", true),
        feedback("a", false),
        feedback("a", true),
        shadow("gone", false),
        feedback("gone", true),
        feedback("lost", true),
      ])}\n\n   \n`,
    );
    const log = readTraffic(file);
    expect(log.records.map((r) => r.query.id)).toEqual(["c", "a", "b"]);
    expect(log.records[1].shadow?.agrees).toBe(true);
    expect(log.records[1].feedback?.correct).toBe(true);
    expect(Object.keys(log.records[0])).toEqual(["query"]);
    expect(log.orphans).toBe(2);
    expect(log.files).toEqual([file]);
  });

  it("skips a last line cut short by a crash", () => {
    const file = join(dir, "cut.jsonl");
    writeFileSync(file, `${jsonl([query("a")])}\n{"type":"que`);
    expect(readTraffic(file).records.map((r) => r.query.id)).toEqual(["a"]);
  });

  it("refuses a bad line that is not the last, naming file:line", () => {
    const file = join(dir, "bad-json.jsonl");
    writeFileSync(file, `${jsonl([query("a")])}\n{"type":"que\n${jsonl([query("b")])}\n`);
    const error = thrownBy(() => readTraffic(file)) as DataFormatError;
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error.field).toBe(`${file}:2`);
    expect(error.message).toContain("not valid JSON");
    expect(error.fix).toBe("each line must be one JSON trace line");
  });

  it("refuses JSON that is not a trace line, naming the faulty field (or the root)", () => {
    const file = join(dir, "bad-line.jsonl");
    writeFileSync(file, `${jsonl([query("a"), { ...query("b"), escalated: "yes" }])}\n`);
    const error = thrownBy(() => readTraffic(file)) as DataFormatError;
    expect(error.field).toBe(`${file}:2`);
    expect(error.message).toMatch(/^.*: not a production trace line: escalated: /);
    const root = join(dir, "bad-root.jsonl");
    writeFileSync(root, "5\n");
    expect((thrownBy(() => readTraffic(root)) as Error).message).toContain("not a production trace line: (root): ");
  });

  it("refuses a path with no trace file, naming it", () => {
    const missing = join(dir, "none.jsonl");
    const error = thrownBy(() => readTraffic(missing)) as DataFormatError;
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error.field).toBe(missing);
    expect(error.message).toContain("no production trace file found");
  });
});

const record = (q: QueryTraceLine, s?: ShadowTraceLine, f?: FeedbackTraceLine): TrafficRecord => ({
  query: q,
  ...(s ? { shadow: s } : {}),
  ...(f ? { feedback: f } : {}),
});

/** Escalated to the apex: its answer `apex`, the crowd's `crowd`, the apex's returned. */
const escalated = (id: string, crowd: string | null, apex: string | null, f?: boolean) =>
  record(
    query(id, { crowdAnswer: crowd, apexAnswer: apex, escalated: true, reachedApex: true, tier: 1, finalAnswer: apex }),
    undefined,
    f === undefined ? undefined : feedback(id, f),
  );

/** Kept at the crowd, shadowed at rate 0.25 (weight 4) when `agrees` is given. */
const kept = (id: string, agrees?: boolean | null, f?: boolean, fields: Partial<QueryTraceLine> = {}) =>
  record(
    query(id, { shadowScheduled: agrees !== undefined, ...fields }),
    agrees === undefined ? undefined : shadow(id, agrees),
    f === undefined ? undefined : feedback(id, f),
  );

describe("labelTraffic: which queries get a label, with which weight", () => {
  it("apex labels: disagreement with the apex, escalated weight 1, shadowed weight 1/rate; unusable ones left out", () => {
    const sample = labelTraffic(
      [
        escalated("e-agree", "2", "2"),
        escalated("e-disagree", "1", "2"),
        escalated("e-no-apex-answer", "1", null),
        kept("s-agree", true),
        kept("s-disagree", false),
        kept("s-no-crowd-answer", true, undefined, { crowdAnswer: null }),
        kept("s-agrees-null", null),
        kept("s-rate-0", true, undefined, { shadowRate: 0 }),
        kept("k-no-shadow"),
      ],
      "apex",
    );
    expect(sample.rows.map((r) => [r.record.query.id, r.weight, r.crowdWrong, r.source, r.label])).toEqual([
      ["e-agree", 1, false, "apex", 0],
      ["e-disagree", 1, true, "apex", 1],
      ["s-agree", 4, false, "shadow", 0],
      ["s-disagree", 4, true, "shadow", 1],
      ["s-no-crowd-answer", 4, true, "shadow", 1],
    ]);
    expect(sample.queries).toBe(9);
    expect(sample.oracleAccuracy).toBe(1);
    // d = (1 + 4 + 4) / 14; with P_oracle 1 the crowd's accuracy is 1 - d and a disagreement is an error.
    expect(sample.crowdAccuracy).toBeCloseTo(5 / 14, 12);
    expect(sample.disagreementLabel).toBeCloseTo(1, 12);
  });

  it("discounts a disagreement by P_oracle: c = (1 - d) / P_oracle, label (1 - c) / d", () => {
    const records = [
      escalated("a", "1", "2"),
      escalated("b", "2", "2"),
      escalated("c", "2", "2"),
      escalated("d", "2", "2"),
    ];
    const sample = labelTraffic(records, "apex", 0.8);
    // d = 1/4, c = 0.75 / 0.8 = 0.9375, label = 0.0625 / 0.25 = 0.25.
    expect(sample.crowdAccuracy).toBeCloseTo(0.9375, 12);
    expect(sample.disagreementLabel).toBeCloseTo(0.25, 12);
    expect(sample.rows.map((r) => r.label)).toEqual([sample.disagreementLabel, 0, 0, 0]);
    expect(sample.oracleAccuracy).toBe(0.8);
  });

  it("clamps the crowd's accuracy to 1 and the disagreement label to [0, 1]; no disagreement labels 1", () => {
    // d = 0.5, P_oracle 0.4: (1 - d) / 0.4 = 1.25 -> 1, and the label (1 - 1) / 0.5 = 0.
    const clamped = labelTraffic([escalated("a", "1", "2"), escalated("b", "2", "2")], "apex", 0.4);
    expect(clamped.crowdAccuracy).toBe(1);
    expect(clamped.disagreementLabel).toBe(0);
    const agreeing = labelTraffic([escalated("a", "2", "2")], "apex", 0.9);
    expect(agreeing.disagreementLabel).toBe(1);
    expect(agreeing.crowdAccuracy).toBe(1);
    const none = labelTraffic([], "apex");
    expect(none).toEqual({ rows: [], queries: 0, oracleAccuracy: 1, crowdAccuracy: 1, disagreementLabel: 1 });
  });

  it("feedback labels: hard, on the crowd's answer when it was returned, weight of the apex label when there is one", () => {
    const records = [
      kept("f-right", undefined, true),
      kept("f-wrong", undefined, false),
      kept("f-no-crowd-answer", undefined, true, { crowdAnswer: null }),
      // The apex's answer was returned: right means the crowd's was wrong; wrong tells nothing.
      escalated("f-apex-right", "1", "2", true),
      escalated("f-apex-wrong", "1", "2", false),
      kept("f-shadowed", true, false),
    ];
    const fb = labelTraffic(records, "feedback");
    expect(fb.rows.map((r) => [r.record.query.id, r.weight, r.crowdWrong, r.source, r.label])).toEqual([
      ["f-right", 1, false, "feedback", 0],
      ["f-wrong", 1, true, "feedback", 1],
      ["f-no-crowd-answer", 1, true, "feedback", 1],
      ["f-apex-right", 1, true, "feedback", 1],
      ["f-shadowed", 1, true, "feedback", 1],
    ]);
    const auto = labelTraffic(records, "auto", 0.5);
    expect(auto.rows.map((r) => [r.record.query.id, r.weight, r.source, r.label])).toEqual([
      ["f-right", 1, "feedback", 0],
      ["f-wrong", 1, "feedback", 1],
      ["f-no-crowd-answer", 1, "feedback", 1],
      ["f-apex-right", 1, "feedback", 1],
      // No feedback label: the apex's disagreement, discounted (d = 1, c = 0 -> label 1).
      ["f-apex-wrong", 1, "apex", 1],
      // Feedback overrides the shadow's agreement but keeps its weight 1/rate.
      ["f-shadowed", 4, "feedback", 1],
    ]);
    // Only the apex rows make the disagreement rate: f-apex-wrong alone, d = 1.
    expect(auto.crowdAccuracy).toBe(0);
    const apexOnly = labelTraffic(records, "apex");
    expect(apexOnly.rows.map((r) => r.record.query.id)).toEqual(["f-apex-right", "f-apex-wrong", "f-shadowed"]);
  });
});

describe("estimateOracleAccuracy: the apex's accuracy from feedback", () => {
  it("counts judged answers by weight, with the Wilson interval on the effective number", () => {
    const estimate = estimateOracleAccuracy([
      escalated("e-right", "1", "2", true),
      kept("s-right", true, true), // crowd right and the apex agreed: apex right, weight 4
      kept("s-wrong", true, false), // crowd wrong and the apex agreed: apex wrong, weight 4
      kept("s-nothing", false, false), // crowd wrong, apex disagreed: tells nothing
    ]);
    // right = 1 + 4 of total 9; effective n = 81 / 33.
    expect(estimate).toBeDefined();
    expect(estimate?.judged).toBe(3);
    expect(estimate?.estimate).toBeCloseTo(5 / 9, 12);
    expect(estimate?.effective).toBeCloseTo(81 / 33, 12);
    const [lower, upper] = wilsonInterval((5 / 9) * (81 / 33), 81 / 33, 0.95);
    expect(estimate?.lower).toBeCloseTo(lower, 12);
    expect(estimate?.upper).toBeCloseTo(upper, 12);
  });

  it("a crowd answer judged right that the apex disagreed with makes the apex wrong", () => {
    expect(estimateOracleAccuracy([kept("s", false, true)])).toMatchObject({ judged: 1, estimate: 0, effective: 1 });
  });

  it("judges nothing without feedback, without the apex's answer returned, or without a usable shadow", () => {
    expect(
      estimateOracleAccuracy([
        escalated("no-feedback", "1", "2"),
        escalated("no-apex-answer", "1", null, true),
        record(
          query("apex-not-returned", { reachedApex: true, apexAnswer: "2", finalAnswer: "1" }),
          undefined,
          feedback("apex-not-returned", true),
        ),
        kept("no-shadow", undefined, true),
        kept("agrees-null", null, true),
        kept("rate-0", true, true, { shadowRate: 0 }),
        kept("crowd-not-returned", true, true, { finalAnswer: "9" }),
      ]),
    ).toBeUndefined();
  });
});

describe("sanitizeTraceLine: secrets masked and errors summarised before a line is written", () => {
  const key = "sk-abcdefghijklmnopqrstuvwx";

  it("a feedback line is written as it is", () => {
    const line = feedback("a", true);
    expect(sanitizeTraceLine(line)).toBe(line);
  });

  it("a shadow line: the apex's answer and skip reason masked, the error summarised; absent fields stay absent", () => {
    const line: ShadowTraceLine = {
      ...shadow("a", false),
      apexAnswer: `the key is ${key}`,
      error: `InternalServerError: 500 upstream llm-7.internal failed with ${key}`,
      skipped: `budget ${key}`,
    };
    expect(sanitizeTraceLine(line)).toEqual({
      ...line,
      apexAnswer: "the key is [REDACTED]",
      error: "HTTP 500: the provider failed",
      skipped: "budget [REDACTED]",
    });
    const plain = { ...shadow("b", null), apexAnswer: null };
    expect(sanitizeTraceLine(plain)).toEqual(plain);
    expect(Object.keys(sanitizeTraceLine(plain))).not.toContain("error");
    expect(Object.keys(sanitizeTraceLine(plain))).not.toContain("skipped");
  });

  it("a query line: every answer, reason and content masked, member errors summarised", () => {
    const line = query("a", {
      candidates: [
        { model: "m1", tier: 0, answer: key, costUsd: 0, latencyMs: 1 },
        { model: "m2", tier: 0, answer: null, error: `connect ECONNREFUSED ${key}`, costUsd: 0, latencyMs: 1 },
      ],
      crowdAnswer: key,
      apexAnswer: key,
      finalAnswer: key,
      decisions: [
        { tier: 0, pFail: 0.9, threshold: 0.5, escalated: true, reason: `because ${key}` },
        { tier: 1, pFail: null, threshold: 0.5, escalated: false },
      ],
      content: { prompt: `prompt ${key}`, answer: `answer ${key}` },
    });
    const clean = sanitizeTraceLine(line) as QueryTraceLine;
    expect(clean.candidates).toEqual([
      { model: "m1", tier: 0, answer: "[REDACTED]", costUsd: 0, latencyMs: 1 },
      { model: "m2", tier: 0, answer: null, error: "could not connect to the provider", costUsd: 0, latencyMs: 1 },
    ]);
    expect([clean.crowdAnswer, clean.apexAnswer, clean.finalAnswer]).toEqual([
      "[REDACTED]",
      "[REDACTED]",
      "[REDACTED]",
    ]);
    expect(clean.decisions).toEqual([
      { tier: 0, pFail: 0.9, threshold: 0.5, escalated: true, reason: "because [REDACTED]" },
      { tier: 1, pFail: null, threshold: 0.5, escalated: false },
    ]);
    expect(clean.content).toEqual({ prompt: "prompt [REDACTED]", answer: "answer [REDACTED]" });
    const bare = sanitizeTraceLine(query("b", { crowdAnswer: null })) as QueryTraceLine;
    expect(bare.crowdAnswer).toBeNull();
    expect(Object.keys(bare)).not.toContain("content");
  });
});
