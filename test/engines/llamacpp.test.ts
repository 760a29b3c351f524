import { join } from "node:path";
import { HumanMessage, SystemMessage, type AIMessageChunk } from "@langchain/core/messages";
import { afterAll, describe, expect, it, vi } from "vitest";
import { LlamaCppChatModel, LlamaCppEngine } from "../../src/engines/llamacpp/index.js";
import { extractTokenLogprobEntries, extractTokenLogprobs } from "../../src/core/logprobs.js";
import { PyramidConfigError, PyramidError } from "../../src/errors/index.js";
import { dataDir } from "../../src/eval/data_dir.js";

const MODEL = join(dataDir(), "models", "stories260K.gguf");
const PROMPT = "Once upon a time";

function model(extra: Partial<ConstructorParameters<typeof LlamaCppChatModel>[0]> = {}): LlamaCppChatModel {
  return new LlamaCppChatModel({ modelPath: MODEL, contextSize: 512, threads: 1, maxTokens: 40, ...extra });
}

afterAll(async () => {
  await LlamaCppEngine.disposeAll();
});

describe("LlamaCppChatModel on stories260K.gguf", () => {
  it("answers with real per-token log-probabilities and token counts", async () => {
    const answer = await model({ topLogprobs: 5 }).invoke([
      new SystemMessage("You tell stories."),
      new HumanMessage(PROMPT),
    ]);
    expect(typeof answer.content).toBe("string");
    expect((answer.content as string).length).toBeGreaterThan(0);
    const usage = answer.usage_metadata!;
    expect(usage.input_tokens).toBeGreaterThan(0);
    expect(usage.output_tokens).toBeGreaterThan(0);
    expect(usage.total_tokens).toBe(usage.input_tokens + usage.output_tokens);
    expect(answer.response_metadata.model_name).toBe("stories260K.gguf");
    expect(["stop", "length"]).toContain(answer.response_metadata.finish_reason);

    const logprobs = extractTokenLogprobs(answer)!;
    expect(logprobs.length).toBeGreaterThan(0);
    expect(logprobs.length).toBeLessThanOrEqual(usage.output_tokens);
    for (const lp of logprobs) {
      expect(Number.isFinite(lp)).toBe(true);
      expect(lp).toBeLessThanOrEqual(0);
    }
    const entries = extractTokenLogprobEntries(answer)!;
    expect(entries.map((e) => e.token).join("")).toBe(answer.content);
    for (const entry of entries) {
      expect(entry.top_logprobs).toHaveLength(5);
      const top = entry.top_logprobs.map((t) => t.logprob);
      expect([...top].sort((a, b) => b - a)).toEqual(top);
      // Greedy decoding picks the most likely token, and probabilities of distinct tokens sum to at most 1.
      expect(entry.logprob).toBeCloseTo(top[0]!, 10);
      expect(top.reduce((sum, lp) => sum + Math.exp(lp), 0)).toBeLessThanOrEqual(1 + 1e-6);
    }
    // Not a peaked toy distribution: some token was uncertain.
    expect(Math.min(...logprobs)).toBeLessThan(-0.5);
  });

  it("gives the same log-probabilities on the greedy fast path and the full-logits path", async () => {
    const fast = await model({ topLogprobs: 0 }).invoke(PROMPT);
    const full = await model({ topLogprobs: 2 }).invoke(PROMPT);
    expect(fast.content).toBe(full.content);
    const a = extractTokenLogprobs(fast)!;
    const b = extractTokenLogprobs(full)!;
    expect(a).toHaveLength(b.length);
    for (const [i, lp] of a.entries()) expect(lp).toBeCloseTo(b[i]!, 4);
    expect(extractTokenLogprobEntries(fast)![0]!.top_logprobs).toEqual([]);
    const off = await model({ logprobs: false }).invoke(PROMPT);
    expect(off.content).toBe(full.content);
    expect(extractTokenLogprobs(off)).toBeUndefined();
  });

  it("reports probabilities of the full distribution, before top-k truncation", async () => {
    const answer = await model({ temperature: 1, topK: 1, seed: 7, maxTokens: 20, topLogprobs: 3 }).invoke(PROMPT);
    const entries = extractTokenLogprobEntries(answer)!;
    // topK = 1 forces the most likely token, yet its reported probability is the model's, not 1.
    for (const entry of entries) expect(entry.logprob).toBeCloseTo(entry.top_logprobs[0]!.logprob, 10);
    expect(entries.some((e) => e.logprob < -0.1)).toBe(true);
  });

  it("streams token by token; chunks concatenate to the invoke answer", async () => {
    const chat = model();
    const invoked = await chat.invoke(PROMPT);
    const chunks: AIMessageChunk[] = [];
    for await (const chunk of await chat.stream(PROMPT)) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(5);
    const text = chunks.map((c) => c.content as string).join("");
    expect(text).toBe(invoked.content);
    const merged = chunks.slice(1).reduce((acc, c) => acc.concat(c), chunks[0]!);
    expect(extractTokenLogprobs(merged)).toEqual(extractTokenLogprobs(invoked));
    expect(merged.usage_metadata?.output_tokens).toBe(invoked.usage_metadata?.output_tokens);
    expect(merged.usage_metadata?.input_tokens).toBe(invoked.usage_metadata?.input_tokens);
  });

  it("shares one loaded model between members that generate concurrently", async () => {
    const members = [
      model({ maxTokens: 60 }),
      model({ maxTokens: 60, temperature: 0.9, seed: 1 }),
      model({ maxTokens: 60, temperature: 0.9, seed: 2 }),
    ];
    expect(members[1]!.engine).toBe(members[0]!.engine);
    expect(members[2]!.engine).toBe(members[0]!.engine);
    const engine = members[0]!.engine;
    engine.resetPeak();
    let inFlight = 0;
    let maxInFlight = 0;
    const run = async (member: LlamaCppChatModel): Promise<string> => {
      let text = "";
      let started = false;
      for await (const chunk of await member.stream(PROMPT)) {
        if (!started) {
          started = true;
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
        }
        text += chunk.content as string;
      }
      inFlight--;
      return text;
    };
    const answers = await Promise.all(members.map(run));
    expect(maxInFlight).toBe(3);
    expect(engine.peakActiveSequences).toBe(3);
    expect(engine.activeSequences).toBe(0);
    for (const answer of answers) expect(answer.length).toBeGreaterThan(0);
    // Each member has its own sequence: the greedy member is unaffected by its neighbours.
    expect(answers[0]).toBe((await members[0]!.invoke(PROMPT)).content);
  });

  it("queues calls beyond the context's sequences and lets a queued call be aborted", async () => {
    const chat = model({ parallel: 2, maxTokens: 30 });
    chat.engine.resetPeak();
    const controller = new AbortController();
    const calls = [
      chat.invoke(PROMPT),
      chat.invoke(PROMPT),
      chat.invoke(PROMPT, { signal: controller.signal }),
      chat.invoke(PROMPT),
    ];
    controller.abort();
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "fulfilled", "rejected", "fulfilled"]);
    const texts = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.content] : []));
    expect(new Set(texts).size).toBe(1);
    expect(chat.engine.activeSequences).toBe(0);
    expect(chat.engine.peakActiveSequences).toBe(2);
  });

  it("is deterministic for a given seed at temperature > 0", async () => {
    const a = await model({ temperature: 1, topK: 0, topP: 1, seed: 42, maxTokens: 60 }).invoke(PROMPT);
    const b = await model({ temperature: 1, topK: 0, topP: 1, seed: 42, maxTokens: 60 }).invoke(PROMPT);
    const c = await model({ temperature: 1, topK: 0, topP: 1, seed: 43, maxTokens: 60 }).invoke(PROMPT);
    expect(b.content).toBe(a.content);
    expect(extractTokenLogprobs(b)).toEqual(extractTokenLogprobs(a));
    expect(c.content).not.toBe(a.content);
  });

  it("ends before a stop sequence without leaking it", async () => {
    const chat = model({ maxTokens: 60 });
    const full = (await chat.invoke(PROMPT)).content as string;
    const stop = full.slice(10, 14);
    const cut = full.slice(0, full.indexOf(stop));
    const stopped = await chat.invoke(PROMPT, { stop: [stop] });
    expect(stopped.content).toBe(cut);
    expect(stopped.response_metadata.finish_reason).toBe("stop");
    let streamed = "";
    for await (const chunk of await chat.stream(PROMPT, { stop: [stop] })) streamed += chunk.content as string;
    expect(streamed).toBe(cut);
  });

  it("stops generating promptly when aborted", async () => {
    const chat = model({ maxTokens: 400 });
    const controller = new AbortController();
    let chunks = 0;
    const consume = async (): Promise<void> => {
      for await (const _chunk of await chat.stream(PROMPT, { signal: controller.signal })) {
        chunks++;
        if (chunks === 5) controller.abort();
      }
    };
    await expect(consume()).rejects.toThrow();
    expect(chunks).toBeLessThan(10);
    // The generation loop notices the abort at the next token and gives its sequence back.
    await vi.waitFor(() => expect(chat.engine.activeSequences).toBe(0));

    const second = new AbortController();
    const pending = chat.invoke(PROMPT, {
      signal: second.signal,
      callbacks: [{ handleLLMNewToken: () => second.abort() }],
    });
    await expect(pending).rejects.toThrow();
    // The sequence is released: the model still answers afterwards.
    const after = await chat.invoke(PROMPT, { maxTokens: 5 });
    expect(after.usage_metadata?.output_tokens).toBe(5);
    expect(chat.engine.activeSequences).toBe(0);
  });

  it("names the faulty option", async () => {
    const bad = (fields: Record<string, unknown>, field: string): void => {
      let caught: unknown;
      try {
        new LlamaCppChatModel({ modelPath: MODEL, ...fields } as ConstructorParameters<typeof LlamaCppChatModel>[0]);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(PyramidConfigError);
      expect((caught as PyramidConfigError).field).toBe(field);
      expect((caught as Error).message).toContain("Fix:");
    };
    bad({ temperature: -1 }, "LlamaCppChatModel.temperature");
    bad({ topK: 1.5 }, "LlamaCppChatModel.topK");
    bad({ topP: 0 }, "LlamaCppChatModel.topP");
    bad({ maxTokens: 0 }, "LlamaCppChatModel.maxTokens");
    bad({ stop: [""] }, "LlamaCppChatModel.stop.0");
    bad({ contextSize: 4 }, "LlamaCppChatModel.contextSize");
    bad({ modelPath: "" }, "LlamaCppChatModel.modelPath");
    bad({ engine: {} }, "LlamaCppChatModel.engine");

    await expect(model().invoke(PROMPT, { maxTokens: -3 })).rejects.toMatchObject({
      field: "LlamaCppChatModel call option.maxTokens",
    });
    const missing = new LlamaCppChatModel({ modelPath: join(dataDir(), "models", "missing.gguf") });
    await expect(missing.load()).rejects.toMatchObject({ field: "modelPath" });
    await expect(missing.invoke(PROMPT)).rejects.toBeInstanceOf(PyramidConfigError);
    await expect(missing.invoke(PROMPT)).rejects.toMatchObject({ field: "modelPath" });
    const tooLong = model({ contextSize: 32 });
    await expect(tooLong.invoke("word ".repeat(200))).rejects.toBeInstanceOf(PyramidError);
  });

  it("identifies itself for tracing", () => {
    const chat = model({ temperature: 0.5 });
    expect(chat._llmType()).toBe("llamacpp");
    expect(chat.getLsParams({} as never)).toMatchObject({
      ls_provider: "llamacpp",
      ls_model_name: "stories260K.gguf",
      ls_model_type: "chat",
      ls_temperature: 0.5,
      ls_max_tokens: 40,
    });
  });
});
