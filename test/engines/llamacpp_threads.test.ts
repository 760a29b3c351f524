import { availableParallelism } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dataDir } from "../../src/eval/data_dir.js";
import { defaultLlamaCppContextThreads, LlamaCppChatModel, LlamaCppEngine } from "../../src/engines/llamacpp/index.js";

const MODEL = join(dataDir(), "models", "stories260K.gguf");

afterAll(async () => {
  await LlamaCppEngine.disposeAll();
});

describe("llama.cpp default threads", () => {
  it("defaults to min(2, half the cores), at least 1", () => {
    expect([1, 2, 3, 4, 8, 64].map((cores) => defaultLlamaCppContextThreads(cores))).toEqual([1, 1, 1, 2, 2, 2]);
    expect(defaultLlamaCppContextThreads()).toBe(Math.max(1, Math.min(2, Math.floor(availableParallelism() / 2))));
  });

  it("new LlamaCppChatModel({ modelPath }) without threads uses that default, and answers", async () => {
    const model = new LlamaCppChatModel({ modelPath: MODEL, contextSize: 256, maxTokens: 16 });
    expect(model.threads).toBe(defaultLlamaCppContextThreads());
    const answer = await model.invoke("Once upon a time");
    expect(typeof answer.content).toBe("string");
    expect(String(answer.content).length).toBeGreaterThan(0);
    expect(answer.usage_metadata?.output_tokens).toBeGreaterThan(0);
    // An explicit value is kept (0 = node-llama-cpp's choice).
    expect(new LlamaCppChatModel({ modelPath: MODEL, threads: 0 }).threads).toBe(0);
  });
});
