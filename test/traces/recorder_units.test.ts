import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AIMessage } from "@langchain/core/messages";
import { afterAll, describe, expect, it } from "vitest";
import { PyramidChatModel, PyramidConfigError } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { TrafficRecorder } from "../../src/traces/index.js";
import { resolveTrafficOptions } from "../../src/traces/options.js";
import { readTraffic } from "../../src/traces/read.js";
import type { QueryTraceLine } from "../../src/traces/schema.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";
import { thrownBy } from "../helpers/thrown.js";

// The traffic options, the recorder and the query line it writes, field by field (edges found by mutation testing,
// docs/testing.md).

const dir = mkdtempSync(join(tmpdir(), "recorder-units-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const configError = (fn: () => unknown) => {
  const error = thrownBy(fn);
  expect(error).toBeInstanceOf(PyramidConfigError);
  return error as PyramidConfigError;
};

describe("resolveTrafficOptions: defaults and refusals", () => {
  it("a path alone: no content; settings keep what is given, content false by default", () => {
    expect(resolveTrafficOptions({ traces: "t.jsonl" })).toEqual({ traces: { path: "t.jsonl", content: false } });
    expect(resolveTrafficOptions({ traces: { path: "t.jsonl", maxBytes: 10, maxFiles: 0, worker: "w-1_a" } })).toEqual({
      traces: { path: "t.jsonl", content: false, maxBytes: 10, maxFiles: 0, worker: "w-1_a" },
    });
    expect(resolveTrafficOptions({ traces: { path: "t.jsonl", content: true } }).traces?.content).toBe(true);
    expect(resolveTrafficOptions({})).toEqual({});
  });

  it("shadow sampling: seed 1, 2 at once and 64 waiting by default; a rate of 0 needs no traces", () => {
    expect(resolveTrafficOptions({ traces: "t.jsonl", shadow: { rate: 0.5 } }).shadow).toEqual({
      rate: 0.5,
      seed: 1,
      maxConcurrency: 2,
      maxQueued: 64,
    });
    expect(
      resolveTrafficOptions({ traces: "t.jsonl", shadow: { rate: 1, seed: 0, maxConcurrency: 3, maxQueued: 0 } })
        .shadow,
    ).toEqual({ rate: 1, seed: 0, maxConcurrency: 3, maxQueued: 0 });
    expect(resolveTrafficOptions({ shadow: { rate: 0 } })).toEqual({
      shadow: { rate: 0, seed: 1, maxConcurrency: 2, maxQueued: 64 },
    });
  });

  it.each([
    [{ traces: "" }, "traces"],
    [{ traces: { path: "" } }, "traces.path"],
    [{ traces: { path: "t", maxBytes: 0 } }, "traces.maxBytes"],
    [{ traces: { path: "t", maxFiles: -1 } }, "traces.maxFiles"],
    [{ traces: { path: "t", worker: "a/b" } }, "traces.worker"],
    [{ traces: { path: "t", other: 1 } }, "traces"],
    [{ traces: "t", shadow: { rate: 1.5 } }, "shadow.rate"],
    [{ traces: "t", shadow: { rate: 0.5, seed: -1 } }, "shadow.seed"],
    [{ traces: "t", shadow: { rate: 0.5, maxConcurrency: 0 } }, "shadow.maxConcurrency"],
    [{ traces: "t", shadow: { rate: 0.5, maxQueued: -1 } }, "shadow.maxQueued"],
    [{ traces: "t", shadow: { rate: 0.5, other: 1 } }, "shadow"],
  ])("refuses %j naming %s", (options, field) => {
    expect(configError(() => resolveTrafficOptions(options as never)).field).toBe(field);
  });

  it("a worker name says which characters it may have; shadow sampling says it needs traces", () => {
    expect(configError(() => resolveTrafficOptions({ traces: { path: "t", worker: "a b" } })).message).toContain(
      "must be letters, digits, _ or -",
    );
    const error = configError(() => resolveTrafficOptions({ shadow: { rate: 0.1 } }));
    expect(error.field).toBe("shadow");
    expect(error.message).toContain("needs traces: the shadow calls' results are recorded in the trace file");
  });
});

describe("TrafficRecorder", () => {
  it("is wanted with traces or shadow options only", () => {
    expect(TrafficRecorder.wanted({})).toBe(false);
    expect(TrafficRecorder.wanted({ traces: "t.jsonl" })).toBe(true);
    expect(TrafficRecorder.wanted({ shadow: { rate: 0 } })).toBe(true);
  });

  it("without traces: no file, zero shadow totals, feedback refused naming traces and the fix", () => {
    const plain = new TrafficRecorder({});
    expect(plain.file).toBeUndefined();
    expect(plain.shadowStats).toEqual({ scheduled: 0, completed: 0, skipped: 0, costUsd: 0 });
    const error = configError(() => plain.feedback("q_1", true));
    expect(error.field).toBe("traces");
    expect(error.fix).toBe('new TrafficRecorder({ traces: "traffic.jsonl" }) (serve --traces)');
  });

  it("a shadow rate of 0 schedules nothing", () => {
    const recorder = new TrafficRecorder({ traces: join(dir, "rate0.jsonl"), shadow: { rate: 0 } });
    expect(recorder.shadowStats).toEqual({ scheduled: 0, completed: 0, skipped: 0, costUsd: 0 });
  });

  it("appends feedback as one line (id up to 200 characters); refuses an id too long", () => {
    const file = join(dir, "feedback.jsonl");
    const recorder = new TrafficRecorder({ traces: file });
    expect(recorder.file).toBe(file);
    recorder.feedback("q_1", false);
    recorder.feedback("x".repeat(200), true);
    expect(configError(() => recorder.feedback("x".repeat(201), true)).field).toBe("feedback.id");
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({ type: "feedback", id: "q_1", time: expect.any(String), correct: false });
    expect(Number.isNaN(Date.parse(lines[0].time))).toBe(false);
    expect(lines[1].correct).toBe(true);
  });

  it("two recorders on one file share one writer (lines are never interleaved)", () => {
    const file = join(dir, "shared.jsonl");
    const a = new TrafficRecorder({ traces: file });
    const b = new TrafficRecorder({ traces: { path: file } });
    a.feedback("a", true);
    b.feedback("b", true);
    a.feedback("c", true);
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(3);
  });

  it("ignores custom events other than the pyramid's answer", async () => {
    const file = join(dir, "events.jsonl");
    const recorder = new TrafficRecorder({ traces: file });
    await recorder.handleCustomEvent("something_else", { spec: {} });
    await recorder.handleCustomEvent("pyramid_answer", { not: "an answer event" });
    recorder.feedback("marker", true);
    expect(readFileSync(file, "utf8").trim().split("\n")).toHaveLength(1);
  });
});

describe("the query line of an answered query", () => {
  // The scripted replies carry no usage: tokens are estimated from the text (priced at 10 and 100 USD per 1M).
  const reply = (text: string) =>
    new AIMessage({ content: text, usage_metadata: { input_tokens: 100, output_tokens: 10, total_tokens: 110 } });
  const small = { input: 10, output: 10 };
  const large = { input: 100, output: 100 };

  it("records candidates, votes, decisions, costs and content as the pyramid saw them", async () => {
    const file = join(dir, "line.jsonl");
    const recorder = new TrafficRecorder({ traces: { path: file, content: true } });
    const model = new PyramidChatModel({
      crowd: [
        { name: "a", price: small, model: new ScriptedChatModel({ name: "a", reply: reply("The answer is 4.") }) },
        { name: "b", price: small, model: new ScriptedChatModel({ name: "b", reply: reply("The answer is 5.") }) },
        { name: "c", price: small, model: new ScriptedChatModel({ name: "c", reply: new Error("HTTP 500 boom") }) },
      ],
      oracle: {
        name: "big",
        price: large,
        model: new ScriptedChatModel({ name: "big", reply: reply("The answer is 4.") }),
      },
      task: "math",
      policy: { threshold: 0.1 },
      callbacks: [recorder],
    });
    const answer = await model.invoke("What is 2 + 2?");
    const pyramid = answer.response_metadata.pyramid as PyramidMetadata & { traceId: string };
    const [record] = readTraffic(file).records;
    const line: QueryTraceLine = record.query;
    expect(line.id).toBe(pyramid.traceId);
    expect(line.id).toMatch(/^q_[0-9a-f-]{36}$/);
    expect(line.candidates.map((c) => [c.model, c.tier, c.answer])).toEqual([
      ["a", 0, "4"],
      ["b", 0, "5"],
      ["c", 0, null],
      ["big", 1, "4"],
    ]);
    const [a, b, c, big] = line.candidates.map((candidate) => candidate.costUsd);
    expect(c).toBe(0);
    expect(big).toBeCloseTo(10 * a, 12);
    expect(line.candidates[2].error).toBeDefined();
    expect("error" in line.candidates[0]).toBe(false);
    expect(line.crowdAnswer).not.toBeNull();
    expect(line.apexAnswer).toBe("4");
    expect(line.finalAnswer).toBe("4");
    expect(line.escalated).toBe(true);
    expect(line.reachedApex).toBe(true);
    expect(line.tier).toBe(1);
    expect(line.featureNames.length).toBe(line.features.length);
    expect(line.featureNames).toContain("vote_share");
    expect(line.pFail).toBe(pyramid.decisions[0].pFail);
    expect(line.threshold).toBe(0.1);
    expect(line.decisions).toEqual(
      pyramid.decisions.map((d) =>
        expect.objectContaining({ tier: d.tier, threshold: d.threshold, escalated: d.escalated }),
      ),
    );
    expect(line.cost.crowd).toBeCloseTo(a + b, 12);
    expect(line.cost.oracle).toBeCloseTo(big, 12);
    expect(line.cost.oracle).toBeGreaterThan(0);
    expect(line.cost.total).toBe(pyramid.cost.total);
    expect(line.cost.oracleOnly).toBe(pyramid.cost.oracleOnly);
    expect(line.latencyMs).toBeGreaterThanOrEqual(0);
    expect(line.shadowScheduled).toBe(false);
    expect(line.shadowRate).toBe(0);
    expect(line.task).toBe("math");
    expect(line.content).toEqual({ prompt: "human: What is 2 + 2?", answer: "The answer is 4." });
  });

  it("a query kept at the crowd: no apex answer, no apex run, the crowd's answer returned", async () => {
    const file = join(dir, "kept.jsonl");
    const same = (name: string) => ({
      name,
      price: small,
      model: new ScriptedChatModel({ name, reply: reply("The answer is 7.") }),
    });
    const model = new PyramidChatModel({
      crowd: [same("a"), same("b")],
      oracle: same("big"),
      task: "math",
      callbacks: [new TrafficRecorder({ traces: file, shadow: { rate: 0.5, seed: 2 } })],
    });
    await model.invoke("What is 3 + 4?");
    const [record] = readTraffic(file).records;
    expect(record.query).toMatchObject({
      crowdAnswer: "7",
      apexAnswer: null,
      finalAnswer: "7",
      escalated: false,
      reachedApex: false,
      tier: 0,
      shadowRate: 0.5,
    });
    expect(record.query.cost.oracle).toBe(0);
    const [first, second] = record.query.candidates.map((candidate) => candidate.costUsd);
    expect(first).toBeGreaterThan(0);
    expect(record.query.cost.crowd).toBeCloseTo(first + second, 12);
    expect(record.query.content).toBeUndefined();
  });
});
