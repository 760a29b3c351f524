import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { afterAll, describe, expect, it } from "vitest";
import { DataFormatError, PyramidChatModel, type PyramidConfigError } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { TrafficRecorder } from "../../src/traces/index.js";
import { labelTraffic } from "../../src/traces/labels.js";
import { readTraffic } from "../../src/traces/read.js";
import type { TrafficRecord } from "../../src/traces/read.js";
import type { QueryTraceLine } from "../../src/traces/schema.js";
import { TraceWriter } from "../../src/traces/writer.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";
import { thrownBy } from "../helpers/thrown.js";

// More edges of the traces folder found by mutation testing (docs/testing.md): shadow draws by the recorder,
// decision reasons and prompts in the query line, label sources, reader errors, writer retention by name.

const dir = mkdtempSync(join(tmpdir(), "traces-more-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const said = (text: string) => (name: string) => ({ name, model: new ScriptedChatModel({ name, reply: text }) });

describe("the recorder's shadow draws", () => {
  it("draws only queries kept at the crowd (rate 1), never escalated ones, and drain waits for the shadow calls", async () => {
    const file = join(dir, "shadow.jsonl");
    const recorder = new TrafficRecorder({ traces: file, shadow: { rate: 1 } });
    const crowd = ["a", "b"].map((name) => ({
      name,
      model: new ScriptedChatModel({
        name,
        reply: (m) => (JSON.stringify(m).includes("split") && name === "b" ? "The answer is 6." : "The answer is 5."),
      }),
    }));
    const model = new PyramidChatModel({
      crowd,
      oracle: said("The answer is 5.")("big"),
      task: "math",
      policy: { threshold: 0.2 },
      callbacks: [recorder],
    });
    const kept = await model.invoke("What is 2 + 3?");
    const escalated = await model.invoke("What is 2 + 3? split");
    const meta = (m: { response_metadata: Record<string, unknown> }) =>
      m.response_metadata.pyramid as PyramidMetadata & { shadow: boolean };
    expect(meta(kept).escalated).toBe(false);
    expect(meta(kept).shadow).toBe(true);
    expect(meta(escalated).escalated).toBe(true);
    expect(meta(escalated).shadow).toBe(false);
    await recorder.drain();
    expect(recorder.shadowStats).toMatchObject({ scheduled: 1, completed: 1, skipped: 0 });
    const records = readTraffic(file).records;
    expect(records.filter((r) => r.shadow).map((r) => r.shadow?.agrees)).toEqual([true]);
  });

  it("a recorder with shadow rate 0 and no trace file records nothing and does not fail the query", async () => {
    const recorder = new TrafficRecorder({ shadow: { rate: 0 } });
    const model = new PyramidChatModel({
      crowd: ["a", "b"].map(said("The answer is 1.")),
      oracle: said("The answer is 1.")("big"),
      task: "math",
      callbacks: [recorder],
    });
    const answer = await model.invoke("What is 0 + 1?");
    expect((answer.response_metadata.pyramid as { traceId?: string }).traceId).toMatch(/^q_/);
    await recorder.drain();
    expect(recorder.shadowStats.scheduled).toBe(0);
  });

  it("recorders of different workers on one path write different files; feedback without traces says why", () => {
    const path = join(dir, "workers.jsonl");
    const a = new TrafficRecorder({ traces: { path, worker: "a" } });
    const b = new TrafficRecorder({ traces: { path, worker: "b" } });
    expect(a.file).toBe(join(dir, "workers.a.jsonl"));
    expect(b.file).toBe(join(dir, "workers.b.jsonl"));
    const error = thrownBy(() => new TrafficRecorder({}).feedback("q", true)) as PyramidConfigError;
    expect(error.message).toContain("feedback needs a trace file");
  });
});

describe("the query line's reasons, prompt, features and final answer", () => {
  it("keeps a refused escalation's reason, every prompt message one per line, numeric features, the apex's answer", async () => {
    const file = join(dir, "reason.jsonl");
    const model = new PyramidChatModel({
      crowd: [said("The answer is 5.")("a"), said("The answer is 5.")("b"), said("The answer is 6.")("c")],
      oracle: { ...said("The answer is 4.")("big"), price: { input: 1000, output: 1000 } },
      task: "math",
      policy: { threshold: 0 },
      callbacks: [new TrafficRecorder({ traces: { path: file, content: true } })],
    });
    await model.invoke([new SystemMessage("Be brief."), new HumanMessage("What is 2 + 3?")]);
    const capped = new PyramidChatModel({
      crowd: [said("The answer is 5.")("a"), said("The answer is 6.")("b")],
      oracle: { ...said("The answer is 4.")("big"), price: { input: 1000, output: 1000 } },
      task: "math",
      policy: { threshold: 0 },
      maxCostPerQuery: 1e-9,
      callbacks: [new TrafficRecorder({ traces: file })],
    });
    await capped.invoke("What is 2 + 3?");
    const [first, second] = readTraffic(file).records.map((r) => r.query);
    expect(first.content?.prompt).toBe("system: Be brief.\nhuman: What is 2 + 3?");
    expect(first.crowdAnswer).toBe("5");
    expect(first.finalAnswer).toBe("4");
    expect(first.features.length).toBeGreaterThan(0);
    expect(first.features.some((value) => typeof value === "number")).toBe(true);
    expect(second.escalated).toBe(false);
    expect(second.decisions[0].reason).toMatch(/^maxCostPerQuery: /);
  });
});

const query = (id: string, fields: Partial<QueryTraceLine>): QueryTraceLine => ({
  type: "query",
  id,
  time: "2026-12-01T10:00:00.000Z",
  featureNames: [],
  features: [],
  candidates: [],
  crowdAnswer: "1",
  apexAnswer: null,
  pFail: 0.1,
  threshold: 0.5,
  escalated: false,
  reachedApex: false,
  tier: 0,
  decisions: [],
  finalAnswer: "1",
  cost: { crowd: 0, oracle: 0, total: 0, oracleOnly: 0 },
  latencyMs: 1,
  shadowScheduled: false,
  shadowRate: 0,
  task: "math",
  ...fields,
});

describe("label sources, more edges", () => {
  it("feedback: a query without feedback gets no label, even with no crowd answer", () => {
    const records: TrafficRecord[] = [{ query: query("none", { crowdAnswer: null }) }];
    expect(labelTraffic(records, "feedback").rows).toEqual([]);
  });

  it("feedback on a query the crowd gave no answer to: the crowd was wrong, whatever was returned", () => {
    const records: TrafficRecord[] = [
      {
        query: query("n", { crowdAnswer: null, finalAnswer: "7" }),
        feedback: { type: "feedback", id: "n", time: "t", correct: false },
      },
    ];
    expect(labelTraffic(records, "feedback").rows.map((r) => [r.crowdWrong, r.label])).toEqual([[true, 1]]);
  });

  it("a feedback label stays hard (1) when disagreements are discounted", () => {
    const escalated = (id: string, crowd: string): TrafficRecord => ({
      query: query(id, {
        crowdAnswer: crowd,
        apexAnswer: "2",
        escalated: true,
        reachedApex: true,
        tier: 1,
        finalAnswer: "2",
      }),
    });
    const records: TrafficRecord[] = [
      escalated("d", "1"),
      escalated("a1", "2"),
      escalated("a2", "2"),
      escalated("a3", "2"),
      { query: query("f", {}), feedback: { type: "feedback", id: "f", time: "t", correct: false } },
    ];
    const sample = labelTraffic(records, "auto", 0.8);
    expect(sample.disagreementLabel).toBeCloseTo(0.25, 12);
    expect(sample.rows.find((r) => r.record.query.id === "f")?.label).toBe(1);
    expect(sample.rows.find((r) => r.record.query.id === "d")?.label).toBeCloseTo(0.25, 12);
  });
});

describe("readTraffic, more edges", () => {
  const line = (q: QueryTraceLine) => `${JSON.stringify(q)}\n`;

  it("orders many queries of one time by id, and earlier times first", () => {
    const file = join(dir, "order.jsonl");
    const ids = ["f", "e", "d", "c", "b", "a"];
    writeFileSync(
      file,
      [
        ...ids.map((id) => line(query(id, {}))),
        line(query("late", { time: "2026-12-02T00:00:00.000Z" })),
        line(query("early", { time: "2026-11-30T00:00:00.000Z" })),
      ].join(""),
    );
    expect(readTraffic(file).records.map((r) => r.query.id)).toEqual(["early", "a", "b", "c", "d", "e", "f", "late"]);
  });

  it("names a nested faulty field with dots, and says where production traces come from", () => {
    const file = join(dir, "nested.jsonl");
    writeFileSync(
      file,
      `${JSON.stringify({ ...query("a", {}), cost: { crowd: "x", oracle: 0, total: 0, oracleOnly: 0 } })}\n`,
    );
    const error = thrownBy(() => readTraffic(file)) as DataFormatError;
    expect(error.message).toContain("not a production trace line: cost.crowd: ");
    expect(error.fix).toBe(
      "production traces are written by the pyramid's traces option (src/traces/schema.ts); graded evaluation traces go to `train` without --labels",
    );
    const missing = thrownBy(() => readTraffic(join(dir, "absent.jsonl"))) as DataFormatError;
    expect(missing.fix).toBe("pass the file given to `serve --traces` (or the pyramid's traces option)");
  });

  it("a trace file that cannot be read is a DataFormatError naming the trace file, with the fix", () => {
    mkdirSync(join(dir, "unreadable.w1.jsonl"));
    const error = thrownBy(() => readTraffic(join(dir, "unreadable.jsonl"))) as DataFormatError;
    expect(error).toBeInstanceOf(DataFormatError);
    expect(error.message).toContain("cannot read the trace file");
    expect(error.fix).toBe("pass a production trace JSONL file");
  });
});

describe("writer retention, by name", () => {
  it("prunes only its own stem and extension, even when another name has the same lengths", () => {
    const root = join(dir, "retention");
    mkdirSync(root);
    const others = ["abcdefg.20260101T000000-1-1.jsonl", "traffic.20260101T000000-1-1.jsonx"];
    for (const name of others) writeFileSync(join(root, name), "");
    const writer = new TraceWriter({ path: join(root, "traffic.jsonl"), maxBytes: 10, maxFiles: 0 });
    writer.append({ type: "feedback", id: "a", time: "t", correct: true });
    writer.append({ type: "feedback", id: "b", time: "t", correct: true });
    writer.close();
    expect(readdirSync(root).sort()).toEqual([...others, "traffic.jsonl"].sort());
  });
});

describe("message content", () => {
  it("an AI message as the prompt's last turn is recorded with its type", async () => {
    const file = join(dir, "ai.jsonl");
    const model = new PyramidChatModel({
      crowd: ["a", "b"].map(said("The answer is 2.")),
      oracle: said("The answer is 2.")("big"),
      task: "math",
      callbacks: [new TrafficRecorder({ traces: { path: file, content: true } })],
    });
    await model.invoke([
      new HumanMessage("What is 1 + 1?"),
      new AIMessage("Let me think."),
      new HumanMessage("Go on."),
    ]);
    expect(readTraffic(file).records[0].query.content?.prompt).toBe(
      "human: What is 1 + 1?\nai: Let me think.\nhuman: Go on.",
    );
  });
});
