import { join } from "node:path";
import { tool } from "@langchain/core/tools";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { extractToolCallAnswer } from "../../src/answers/tool_calls.js";
import { LlamaCppChatModel, LlamaCppEngine } from "../../src/engines/llamacpp/index.js";
import { createOpenAICompatibleChatModel } from "../../src/engines/openai/index.js";
import { dataDir } from "../../src/eval/data_dir.js";
import { PyramidChatModel } from "../../src/index.js";
import { startOpenAITestServer, type OpenAITestServer } from "../helpers/openai_server.js";

const MODEL = join(dataDir(), "models", "stories260K.gguf");
let server: OpenAITestServer;

beforeAll(async () => {
  server = await startOpenAITestServer({
    models: {
      oracle: () => ({ content: "6 times 7 is 42. The answer is 42." }),
      "tool-oracle": () => ({ toolCalls: [{ name: "get_weather", arguments: { city: "Rome", metric: true } }] }),
    },
  });
});

afterAll(async () => {
  await server.close();
  await LlamaCppEngine.disposeAll();
});

describe("a three-member pyramid on stories260K.gguf", () => {
  it("runs the crowd on one shared model, reads its logprobs, and escalates to the Oracle", async () => {
    const crowd = [11, 12, 13].map(
      (seed, i) =>
        new LlamaCppChatModel({
          modelPath: MODEL,
          modelName: `stories260K-${i}`,
          temperature: 1,
          seed,
          maxTokens: 32,
          contextSize: 512,
          threads: 1,
        }),
    );
    expect(new Set(crowd.map((m) => m.engine)).size).toBe(1);
    const oracle = createOpenAICompatibleChatModel({ baseURL: server.baseURL, model: "oracle", maxRetries: 0 });
    const pyramid = new PyramidChatModel({ crowd, oracle, task: "math", policy: { threshold: 0.5 } });

    const answer = await pyramid.invoke("What is 6 times 7? Answer with a number.");
    const trace = answer.response_metadata.pyramid as {
      escalated: boolean;
      tier: number;
      pFail: number;
      decisions: Array<{ tier: number; escalated: boolean; features: Record<string, number> }>;
      candidates: Array<{ model: string; tier: number; answer: string | null; error?: string }>;
    };
    // A 260K-parameter story model cannot do arithmetic: the crowd does not agree on 42, so the Oracle answers.
    expect(trace.escalated).toBe(true);
    expect(trace.tier).toBe(1);
    expect(answer.content).toContain("42");
    const crowdCandidates = trace.candidates.filter((c) => c.tier === 0);
    expect(crowdCandidates.map((c) => c.model).sort()).toEqual(["stories260K-0", "stories260K-1", "stories260K-2"]);
    for (const candidate of crowdCandidates) expect(candidate.error).toBeUndefined();
    // The router saw real log-probabilities from the embedded engine (escalation was decided on the crowd tier).
    const decision = trace.decisions.find((d) => d.tier === 0)!;
    expect(decision.escalated).toBe(true);
    const crowdFeatures = decision.features;
    for (let i = 0; i < 3; i++) {
      expect(Number.isFinite(crowdFeatures[`avg_logprob_${i}`])).toBe(true);
      expect(crowdFeatures[`avg_logprob_${i}`]).toBeLessThan(0);
    }
    expect(server.chatRequests()).toHaveLength(1);
  });

  it("votes the crowd's tool calls when the pyramid is bound to tools", async () => {
    const schema = z.object({ city: z.enum(["Paris", "Rome", "Tokyo"]), metric: z.boolean() });
    const weather = tool(async ({ city }) => `sunny in ${city}`, {
      name: "get_weather",
      description: "Weather forecast of a city",
      schema,
    });
    const engine = LlamaCppEngine.shared({ modelPath: MODEL });
    // Seeds whose calls differ, so the vote has something to decide.
    const crowd = [25, 21, 22].map(
      (seed, i) =>
        new LlamaCppChatModel({
          modelPath: MODEL,
          engine,
          modelName: `stories260K-tools-${i}`,
          temperature: 1,
          seed,
          maxTokens: 64,
          contextSize: 1024,
          threads: 1,
        }),
    );
    const oracle = createOpenAICompatibleChatModel({ baseURL: server.baseURL, model: "tool-oracle", maxRetries: 0 });
    // Threshold 1: never escalate, so the answer is the crowd's vote.
    const pyramid = new PyramidChatModel({ crowd, oracle, policy: { threshold: 1 } });
    const requestsBefore = server.chatRequests().length;

    const answer = await pyramid.bindTools([weather], { tool_choice: "any" }).invoke("What is the weather in Paris?");
    const trace = answer.response_metadata.pyramid as {
      escalated: boolean;
      candidates: Array<{ model: string; tier: number; answer: string | null; error?: string }>;
    };
    expect(trace.escalated).toBe(false);
    expect(server.chatRequests().length).toBe(requestsBefore);
    const crowdAnswers = trace.candidates.filter((c) => c.tier === 0);
    expect(crowdAnswers).toHaveLength(3);
    for (const candidate of crowdAnswers) {
      expect(candidate.error).toBeUndefined();
      // The trace shows each member's voted answer: its tool call with canonical JSON arguments.
      expect(candidate.answer).toMatch(/^get_weather\(\{"city":"(Paris|Rome|Tokyo)","metric":(true|false)\}\)$/);
    }
    // The result is the most frequent call among the members (ties: the member listed first).
    const keys = crowdAnswers.map((c) => c.answer!);
    const count = (key: string): number => keys.filter((k) => k === key).length;
    const majority = keys.reduce((best, key) => (count(key) > count(best) ? key : best), keys[0]!);
    expect(answer.tool_calls).toHaveLength(1);
    expect(schema.safeParse(answer.tool_calls![0]!.args).success).toBe(true);
    expect(new Set(keys).size).toBeGreaterThan(1);
    expect(count(majority)).toBeGreaterThanOrEqual(2);
    expect(extractToolCallAnswer(answer.tool_calls!)!.display).toBe(majority);
  });
});
