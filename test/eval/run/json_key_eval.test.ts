import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { runCli } from "../../cli/capture.js";
import { PyramidChatModel } from "../../../src/index.js";
import type { PyramidMetadata } from "../../../src/index.js";
import { RecordedOutputs, ReplayChatModel } from "../../../src/replay/index.js";
import { tempDirs } from "../../helpers/temp_dirs.js";
import { readTraces, runEval } from "../eval_cli.js";

const FIXTURE = new URL("../../fixtures/json_answers/gsm8k_json_16.jsonl", import.meta.url).pathname;
const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];
const ORACLE = "Meta-Llama-3.1-70B-Instruct";

const tmp = tempDirs("pyramid-jsonkey-");

interface Trace {
  id: string;
  candidates: { model: string; answer: string | null }[];
  pFail: number;
  escalated: boolean;
}

async function evalWith(task: string): Promise<{ stdout: string; traces: Trace[] }> {
  const out = tmp();
  const run = await runEval({
    benchmark: "custom",
    recorded: FIXTURE,
    crowd: CROWD.join(","),
    oracle: ORACLE,
    grader: "reference",
    task,
    threshold: "0.5",
    out,
    "no-png": true,
  });
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  const traces = readTraces<Trace>(out);
  return { stdout: run.stdout, traces };
}

describe("eval --benchmark custom --task json on recorded outputs whose answers sit in a JSON field", () => {
  it("votes on the field: the keys are the upstream answer numbers, and unanimous items stay with the crowd", async () => {
    const store = RecordedOutputs.load(FIXTURE);
    const { traces } = await evalWith("json");
    expect(traces).toHaveLength(16);
    for (const trace of traces) {
      for (const candidate of trace.candidates) {
        const line = store.lines.find((l) => l.id === trace.id && l.model === candidate.model)!;
        const upstream = (line.reference as { answer_number?: string | null }).answer_number ?? null;
        expect(candidate.answer, `${trace.id} ${candidate.model}`).toBe(upstream);
      }
    }
    // Item 17: "$57,500" and "57500" key equal (numbers by value); one member says 47500.
    const item17 = traces.find((t) => t.id === "gsm8k/test/17")!;
    expect(item17.candidates.map((c) => c.answer)).toEqual(["57500", "57500", "47500"]);
    // With the agreement router at t=0.5, only the item without a majority (8: no answer, 45, 315) escalates.
    expect(traces.filter((t) => t.escalated).map((t) => t.id)).toEqual(["gsm8k/test/8"]);
  });

  it("where the whole outputs (task text) never agree, so every item escalates", async () => {
    const { traces } = await evalWith("text");
    expect(traces.every((t) => t.escalated)).toBe(true);
  });

  it("json:<field> and regex:<pattern> read the same answers", async () => {
    const field = await evalWith("json:answer");
    const regex = await evalWith('regex:"answer":\\s*"?\\$?([\\d,.]+)');
    const answers = (traces: Trace[]) => traces.map((t) => t.candidates.map((c) => c.answer));
    expect(answers(regex.traces)).toEqual(answers(field.traces));
  });

  it("--task text --similarity lexical votes whole outputs by meaning and records the semantic features", async () => {
    const out = tmp();
    const args = [
      "eval",
      "--benchmark",
      "custom",
      "--recorded",
      FIXTURE,
      "--crowd",
      CROWD.join(","),
      "--oracle",
      ORACLE,
    ];
    const run = await runCli([
      ...args,
      "--grader",
      "reference",
      "--task",
      "text",
      "--similarity",
      "lexical",
      "--out",
      out,
      "--no-png",
    ]);
    expect(run.code).toBe(0);
    const traces = readTraces<Trace & { featureNames: string[]; features: (number | null)[] }>(out);
    const share = traces[0].featureNames.indexOf("semantic_cluster_share");
    expect(share).toBeGreaterThan(0);
    // Exact whole outputs never agree here (test above); by meaning, some items have a cluster of two or more.
    expect(traces.some((t) => (t.features[share] ?? 0) >= 2 / 3)).toBe(true);
    expect(JSON.parse(readFileSync(join(out, "run.json"), "utf8")).similarity).toBe("lexical");
    const bad = await runCli([...args, "--similarity", "cosine", "--out", out]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--similarity/);
  });

  it("refuses an unknown task form, naming --task", async () => {
    const run = await runCli(["eval", "--benchmark", "custom", "--task", "yaml:answer", "--out", "/nonexistent"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--task/);
  });
});

describe("PyramidChatModel with a JSON-field key over replayed recorded members", () => {
  it("votes on the field and returns the winning member's output", async () => {
    const store = RecordedOutputs.load(FIXTURE);
    const member = (model: string) => ({ name: model, model: new ReplayChatModel({ store, model }) });
    const pyramid = new PyramidChatModel({
      crowd: CROWD.map(member),
      oracle: member(ORACLE),
      task: { field: "answer" },
    });
    const line = store.lines.find((l) => l.id === "gsm8k/test/17" && l.model === CROWD[0])!;
    const message = await pyramid.invoke(line.messages.map((m) => new HumanMessage(m.content)));
    const meta = message.response_metadata.pyramid as PyramidMetadata;
    // The candidates show the answers as written; "57,500" and "57500" voted together (2 of 3: no escalation).
    expect(meta.candidates.filter((c) => c.tier === 0).map((c) => c.answer)).toEqual(["57,500", "57500", "47500"]);
    expect(meta.pFail).toBeCloseTo(1 / 3, 10);
    expect(meta.escalated).toBe(false);
    expect(String(message.content)).toBe(line.output);
  });
});
