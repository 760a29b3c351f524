import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadPyramidConfig, pyramidFromConfig } from "../../src/config/index.js";
import { dataDir } from "../../src/eval/data_dir.js";
import type { PyramidChatModel, PyramidMetadata } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import type { PyramidServer } from "../../src/server/index.js";

const configPath = join(import.meta.dirname, "../../examples/pyramid.config.json");
type Line = { model: string; messages: Array<{ content: string }>; output: string };
const recorded = readFileSync(join(dataDir(), "recorded", "gsm8k.jsonl"), "utf8")
  .split("\n")
  .filter((l) => l.includes('"model": "Meta-Llama-3.1-70B-Instruct"'))
  .slice(0, 1)
  .map((l) => JSON.parse(l) as Line);
const question = recorded.find((l) => l.model === "Meta-Llama-3.1-70B-Instruct")!.messages[0].content;

let model: PyramidChatModel;
let server: PyramidServer;
let client: OpenAI;
beforeAll(async () => {
  model = await pyramidFromConfig(loadPyramidConfig(configPath), { baseDir: dirname(configPath) });
  server = createPyramidServer({ model });
  const { url } = await server.listen(0, "127.0.0.1");
  client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 });
});
afterAll(async () => {
  await server.close();
});

describe("the offline config (replayed GSM8K members)", () => {
  it('finds a recorded prompt whatever whitespace surrounds it, as `ask "$(cat q.txt)"` sends it', async () => {
    const exact = await model.invoke(question);
    // The recorded prompts start with "\n## Question:" and end with a newline; a shell's "$(cat q.txt)" drops it.
    for (const variant of [question.trimEnd(), question.trim(), `${question}\n`, `  ${question}\n\n`]) {
      const answer = await model.invoke(variant);
      expect(answer.content).toBe(exact.content);
      expect((answer.response_metadata.pyramid as PyramidMetadata).candidates.every((c) => c.error === undefined)).toBe(
        true,
      );
    }
  });

  it("marks the replayed token counts as estimated (the recordings have none)", async () => {
    const answer = await model.invoke(question);
    expect((answer.response_metadata.pyramid as PyramidMetadata).cost.tokensEstimated).toBe(true);
  });

  it("answers a request that carries tools in text, like a model without tool calling, through the server", async () => {
    const completion = await client.chat.completions.create({
      model: "pyramid-moa",
      messages: [{ role: "user", content: question }],
      tools: [
        {
          type: "function",
          function: {
            name: "calculator",
            description: "evaluates arithmetic",
            parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
          },
        },
      ],
    });
    const message = completion.choices[0].message;
    expect(message.tool_calls ?? []).toEqual([]);
    expect(message.content).toBe((await model.invoke(question)).content);
    expect(completion.choices[0].finish_reason).toBe("stop");
  });
});
