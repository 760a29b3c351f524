import { describe, expect, it } from "vitest";
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import {
  RecordedOutputs,
  ReplayChatModel,
  RecordingChatModel,
  getRecordedItems,
  type RecordedLine,
} from "../../src/replay/index.js";
import { DataFormatError, ReplayMissError, PyramidConfigError } from "../../src/errors/index.js";
import { dataDir } from "../../src/eval/data_dir.js";
import { estimateTokens } from "../../src/index.js";

const gsm8kFile = join(dataDir(), "recorded", "gsm8k.jsonl");
const mbppFile = join(dataDir(), "recorded", "mbpp.jsonl");

function tempFile(name: string): string {
  return join(mkdtempSync(join(tmpdir(), "pyramid-replay-")), name);
}

describe("ReplayChatModel on recorded/gsm8k.jsonl", () => {
  const store = RecordedOutputs.load(gsm8kFile);

  it("indexes every line and model once, and caches the file", () => {
    expect(store.lines.length).toBe(9470);
    expect(store.models).toHaveLength(10);
    expect(store.models).toContain("Meta-Llama-3.1-8B-Instruct");
    expect(RecordedOutputs.load(gsm8kFile)).toBe(store);
  });

  it("replays the exact recorded output for real lines of several models", async () => {
    const picks = [0, 1234, 5000, 9469].map((i) => store.lines[i]);
    for (const line of picks) {
      const model = store.model(line.model);
      const answer = await model.invoke(line.messages.map((m) => new HumanMessage(m.content)));
      expect(answer.content).toBe(line.output);
      expect(answer.response_metadata.tokenUsageEstimated).toBe(true);
      expect(answer.usage_metadata?.output_tokens).toBe(Math.ceil(line.output.length / 4));
      expect(answer.usage_metadata?.input_tokens).toBe(estimateTokens(line.messages[0].content));
      expect((answer.response_metadata.recorded as { id: string }).id).toBe(line.id);
    }
  });

  it("distinguishes models on the same prompt", async () => {
    const first = store.lines[0];
    const other = store.lines.find((l) => l.id === first.id && l.model !== first.model && l.output !== first.output);
    expect(other).toBeDefined();
    const answer = await store.model(other!.model).invoke(first.messages.map((m) => new HumanMessage(m.content)));
    expect(answer.content).toBe(other!.output);
  });

  it("streams the recorded text in chunks, usage on the aggregate", async () => {
    const line = store.lines[42];
    const model = new ReplayChatModel({ store, model: line.model, streamChunkChars: 10 });
    let text = "";
    let chunks = 0;
    let usage: number | undefined;
    for await (const chunk of await model.stream(line.messages.map((m) => new HumanMessage(m.content)))) {
      text += String(chunk.content);
      chunks += 1;
      if (chunk.usage_metadata) usage = chunk.usage_metadata.output_tokens;
    }
    expect(text).toBe(line.output);
    expect(chunks).toBe(Math.ceil(line.output.length / 10));
    expect(usage).toBe(estimateTokens(line.output));
  });

  it("throws ReplayMissError naming the model and the prompt start", async () => {
    const model = store.model("gemma-2-9b-it");
    const err = await model.invoke("How many legs does a spider have, really?").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ReplayMissError);
    expect(String((err as Error).message)).toContain('"gemma-2-9b-it"');
    expect(String((err as Error).message)).toContain("How many legs does a spider have");
  });

  it("rejects an unknown model name", () => {
    expect(() => store.model("gpt-17")).toThrow(PyramidConfigError);
  });

  it("groups lines into items with every model", () => {
    const items = getRecordedItems(store);
    expect(items).toHaveLength(947);
    expect(items[0].byModel.size).toBe(10);
    expect(typeof items[0].gold).toBe("string");
  });
});

describe("ReplayChatModel on recorded/mbpp.jsonl", () => {
  it("exposes cost_usd and picks among items sharing a prompt by recordedId", async () => {
    const store = RecordedOutputs.load(mbppFile);
    const dupes = store.lookup("claude-v2", ["Write a function to sort a list of elements."]);
    expect(dupes.map((l) => l.id).sort()).toEqual(["mbpp/sanitized/141", "mbpp/sanitized/71"]);
    const model = store.model("claude-v2");
    const msgs = [new HumanMessage("Write a function to sort a list of elements.")];
    const a71 = await model.invoke(msgs, { recordedId: "mbpp/sanitized/71" });
    const a141 = await model.invoke(msgs, { recordedId: "mbpp/sanitized/141" });
    expect(a71.content).toBe(dupes.find((l) => l.id === "mbpp/sanitized/71")!.output);
    expect(a141.content).toBe(dupes.find((l) => l.id === "mbpp/sanitized/141")!.output);
    expect(a71.content).not.toBe(a141.content);
    expect(a71.response_metadata.cost_usd).toBe(dupes.find((l) => l.id === "mbpp/sanitized/71")!.cost_usd);
    expect(getRecordedItems(store)).toHaveLength(299);
  });
});

describe("loading bad files", () => {
  const good = readFileSync(gsm8kFile, "utf8").split("\n").slice(0, 3);

  it("skips a bad line with its line number, or throws DataFormatError when strict", () => {
    const file = tempFile("bad.jsonl");
    writeFileSync(file, `${good[0]}\n{"model": "x"}\nnot json\n${good[1]}\n`);
    const warnings: string[] = [];
    const store = RecordedOutputs.load(file, { onWarning: (m) => warnings.push(m) });
    expect(store.lines).toHaveLength(2);
    expect(store.problems.map((p) => p.line)).toEqual([2, 3]);
    expect(warnings[0]).toContain(":2:");
    expect(warnings[0]).toContain("messages");
    const err = (() => {
      try {
        RecordedOutputs.load(file, { strict: true, reload: true });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(DataFormatError);
    expect((err as DataFormatError).field).toBe(`${file}:2`);
  });

  it("ignores a truncated last line with a warning (an interrupted write)", () => {
    const file = tempFile("trunc.jsonl");
    writeFileSync(file, `${good[0]}\n${good[1]}\n${good[2].slice(0, 200)}`);
    const warnings: string[] = [];
    const store = RecordedOutputs.load(file, { strict: true, onWarning: (m) => warnings.push(m) });
    expect(store.lines).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(":3: truncated last line");
  });
});

describe("RecordingChatModel", () => {
  it("appends one schema line per answer and replays it", async () => {
    const file = tempFile("rec.jsonl");
    const inner = new FakeListChatModel({ responses: ["4", "9"] });
    const recorder = new RecordingChatModel({ inner, model: "fake", file, defaults: { benchmark: "toy" } });
    const a = await recorder.invoke([["user", "2+2?"]], { recordItem: { id: "toy/0", gold: "4" } });
    const b = await recorder.invoke([["user", "3*3?"]], { recordItem: { id: "toy/1", gold: "9" } });
    await recorder.close();
    expect([a.content, b.content]).toEqual(["4", "9"]);
    const lines = readFileSync(file, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l) as RecordedLine);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ benchmark: "toy", id: "toy/0", model: "fake", output: "4", gold: "4" });
    expect(lines[0].messages).toEqual([{ role: "user", content: "2+2?" }]);
    const replay = RecordedOutputs.load(file).model("fake");
    expect((await replay.invoke([["user", "3*3?"]])).content).toBe("9");
  });

  it("resumes: recorded pairs are answered from the file, not the live model", async () => {
    const file = tempFile("resume.jsonl");
    const first = new RecordingChatModel({
      inner: new FakeListChatModel({ responses: ["one", "two"] }),
      model: "m",
      file,
    });
    await first.invoke("q1");
    await first.invoke("q2");
    await first.close();
    const inner = new FakeListChatModel({ responses: ["three"] });
    const second = new RecordingChatModel({ inner, model: "m", file });
    expect((await second.invoke("q1")).content).toBe("one");
    expect((await second.invoke("q2")).content).toBe("two");
    expect((await second.invoke("q3")).content).toBe("three");
    await second.close();
    expect(second.resumedCalls).toBe(2);
    expect(second.recordedCalls).toBe(1);
    expect(inner.i).toBe(0); // FakeListChatModel wrapped around after its single response: called once
    expect(readFileSync(file, "utf8").trimEnd().split("\n")).toHaveLength(3);
  });

  it("cuts a partial last line on reopen, then appends whole lines", async () => {
    const file = tempFile("partial.jsonl");
    const first = new RecordingChatModel({ inner: new FakeListChatModel({ responses: ["a"] }), model: "m", file });
    await first.invoke("q1");
    await first.close();
    appendFileSync(file, '{"model": "m", "messages": [{"role": "user", "con');
    const warnings: string[] = [];
    const second = new RecordingChatModel({
      inner: new FakeListChatModel({ responses: ["b"] }),
      model: "m",
      file,
      onWarning: (m) => warnings.push(m),
    });
    await second.invoke("q2");
    await second.close();
    expect(warnings.join(" ")).toContain("partial last line");
    const lines = readFileSync(file, "utf8").split("\n");
    expect(lines.at(-1)).toBe("");
    expect(lines.slice(0, -1).map((l) => (JSON.parse(l) as RecordedLine).output)).toEqual(["a", "b"]);
  });

  it("survives SIGKILL mid-run: only whole lines, and a re-run completes without duplicates", async () => {
    const file = tempFile("killed.jsonl");
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "fixtures", "record_child.ts"), file, "200"],
      {
        stdio: "ignore",
      },
    );
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (existsSync(file) && statSync(file).size > 0 && readFileSync(file, "utf8").split("\n").length > 5) {
          clearInterval(timer);
          child.kill("SIGKILL");
          resolve();
        }
      }, 10);
      child.on("exit", () => {
        clearInterval(timer);
        reject(new Error("child finished before it was killed"));
      });
    });
    await new Promise((r) => child.once("exit", r));
    const warnings: string[] = [];
    const partial = RecordedOutputs.load(file, { onWarning: (m) => warnings.push(m) });
    expect(partial.lines.length).toBeGreaterThan(3);
    expect(partial.lines.length).toBeLessThan(200);
    const rerun = spawn(
      process.execPath,
      ["--import", "tsx", join(import.meta.dirname, "fixtures", "record_child.ts"), file, "200"],
      {
        stdio: "ignore",
      },
    );
    const code = await new Promise((r) => rerun.once("exit", r));
    expect(code).toBe(0);
    const done = RecordedOutputs.load(file, { strict: true });
    expect(done.lines).toHaveLength(200);
    expect(new Set(done.lines.map((l) => l.id)).size).toBe(200);
  });
});

describe("ReplayChatModel and tool_choice", () => {
  const store = RecordedOutputs.load(gsm8kFile);
  const line = store.lines[0];
  const prompt = line.messages.map((m) => new HumanMessage(m.content));
  const add = {
    type: "function" as const,
    function: { name: "add", description: "adds", parameters: { type: "object", properties: {} } },
  };

  it('tools with tool_choice "auto" or "none" replay the recorded text', async () => {
    for (const tool_choice of ["auto", "none"] as const) {
      const answer = await store.model(line.model).bindTools([add], { tool_choice }).invoke(prompt);
      expect(answer.content).toBe(line.output);
    }
  });

  it('a forced call ("required", "any", a tool name) is refused naming the model and tool_choice, never answered in text', async () => {
    for (const tool_choice of ["required", "any", "add"]) {
      const bound = store.model(line.model).bindTools([add], { tool_choice });
      await expect(bound.invoke(prompt)).rejects.toMatchObject({ field: "tool_choice" });
      await expect(bound.invoke(prompt)).rejects.toThrow(new RegExp(`replayed model "${line.model}"`));
      await expect(async () => {
        for await (const _ of await bound.stream(prompt)) void _;
      }).rejects.toThrow(PyramidConfigError);
    }
    await expect(store.model(line.model).invoke(prompt, { tool_choice: "required" })).rejects.toThrow(
      PyramidConfigError,
    );
  });

  it('a pyramid of replayed members bound with tool_choice "required" is refused naming the member', async () => {
    const { PyramidChatModel } = await import("../../src/index.js");
    const pyramid = new PyramidChatModel({
      crowd: [{ name: "replayed-8b", model: store.model(line.model), price: { input: 0, output: 0 } }],
      oracle: { name: "replayed-70b", model: store.model(line.model), price: { input: 0, output: 0 } },
    });
    expect(() => pyramid.bindTools([add], { tool_choice: "required" })).toThrow(/member "replayed-8b".*tool_choice/);
    await expect(pyramid.invoke(prompt, { tool_choice: "required", tools: [add] })).rejects.toMatchObject({
      field: "tool_choice",
    });
  });
});
