import { describe, expect, it } from "vitest";
import { main, calculator, lookup } from "../../examples/agent.js";
import { evaluateArithmetic } from "../../examples/arithmetic.js";
import { realEndpointFromEnv } from "../../examples/support.js";
import { DataFormatError, PyramidConfigError } from "../../src/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { ChatCompletionRequest, ScriptedReply } from "../helpers/openai_server.js";

describe("examples/agent.ts", () => {
  it("answers through the ReAct agent, voting tool calls and escalating the step where members disagree", async () => {
    const result = await main({ offline: true });
    expect(result.source).toBe("offline");
    const [product, total, years] = result.runs;

    // Unanimous crowd at every step: the apex is never called.
    expect(product.answer).toContain("69104");
    expect(product.toolMessages).toEqual([{ name: "calculator", content: "69104" }]);
    expect(product.escalations).toBe(0);
    expect(product.steps.every((s) => s.tierName === "crowd" && s.pFail === 0)).toBe(true);

    // Two offices: the hasty member looks up only one, so the first step splits 2/1 and goes to the apex.
    expect(total.answer).toContain("100");
    expect(total.toolMessages).toEqual([
      { name: "lookup", content: "42" },
      { name: "lookup", content: "58" },
      { name: "calculator", content: "100" },
    ]);
    const first = total.steps[0];
    expect(first).toMatchObject({ kind: "tool_calls", tierName: "oracle", escalated: true });
    expect(first.pFail).toBeCloseTo(1 / 3, 12);
    const crowdAnswers = first.candidates.filter((c) => c.tier === 0).map((c) => c.answer);
    expect(new Set(crowdAnswers).size).toBe(2);
    expect(first.candidates.find((c) => c.tier === 1)?.model).toBe("apex");
    // Once the lookups are in the conversation, every member computes the same sum: no more escalation.
    expect(total.steps.slice(1).map((s) => s.escalated)).toEqual([false, false]);
    expect(total.escalations).toBe(1);

    expect(years.answer).toContain("7");
    expect(years.toolMessages.at(-1)).toEqual({ name: "calculator", content: "7" });
    expect(result.escalations).toBeGreaterThanOrEqual(1);
    expect(total.costUsd).toBeLessThan(total.oracleOnlyUsd);
  });

  it("has tools that compute and look up", async () => {
    expect(await calculator.invoke({ expression: "12 * (3 + 4) - 6 / 3" })).toBe("82");
    expect(await lookup.invoke({ office: "austin", field: "desks" })).toBe("120");
    expect(await lookup.invoke({ office: "Paris", field: "desks" })).toMatch(/unknown office/);
    expect(await calculator.invoke({ expression: "2 +" })).toMatch(/^error:/);
    expect(evaluateArithmetic("$1,200 / 4 x 2")).toBe(600);
    expect(evaluateArithmetic("-(2 + 3) * 4")).toBe(-20);
    expect(() => evaluateArithmetic("2 ** 3")).toThrow(DataFormatError);
  });

  it("reads real-endpoint settings from the environment, naming the missing variable", () => {
    expect(realEndpointFromEnv({})).toBeUndefined();
    expect(
      realEndpointFromEnv({
        PYRAMID_OPENAI_BASE_URL: "http://127.0.0.1:8000/v1",
        PYRAMID_CROWD_MODELS: "a, b ,c",
        PYRAMID_ORACLE_MODEL: "big",
      }),
    ).toEqual({
      baseURL: "http://127.0.0.1:8000/v1",
      apiKeyEnv: undefined,
      crowd: ["a", "b", "c"],
      middle: [],
      oracle: "big",
    });
    expect(
      realEndpointFromEnv({
        PYRAMID_OPENAI_BASE_URL: "http://127.0.0.1:8000/v1",
        PYRAMID_OPENAI_API_KEY: "sk-secret",
        PYRAMID_CROWD_MODELS: "a",
        PYRAMID_ORACLE_MODEL: "big",
      })?.apiKeyEnv,
    ).toBe("PYRAMID_OPENAI_API_KEY");
    expect(() =>
      realEndpointFromEnv({
        PYRAMID_OPENAI_BASE_URL: "ftp://x",
        PYRAMID_CROWD_MODELS: "a",
        PYRAMID_ORACLE_MODEL: "big",
      }),
    ).toThrow(/PYRAMID_OPENAI.baseURL/);
    expect(() => realEndpointFromEnv({ PYRAMID_OPENAI_BASE_URL: "http://x", PYRAMID_ORACLE_MODEL: "big" })).toThrow(
      PyramidConfigError,
    );
    expect(() => realEndpointFromEnv({ PYRAMID_OPENAI_BASE_URL: "http://x", PYRAMID_CROWD_MODELS: "a" })).toThrow(
      /PYRAMID_ORACLE_MODEL/,
    );
  });

  it("runs on real models over HTTP (ChatOpenAI against a local OpenAI-compatible server)", async () => {
    // Each served model answers like a tool-using LLM: a calculator call first, then the answer from the tool's result.
    // s3 reads the numbers wrongly, so the crowd splits on the first step and the apex ("big") is asked.
    const script =
      (expression: string) =>
      (request: ChatCompletionRequest): ScriptedReply => {
        const tool = [...request.messages].reverse().find((m) => m.role === "tool");
        if (tool) return { content: `The answer is ${String(tool.content)}.` };
        return { toolCalls: [{ name: "calculator", arguments: { expression } }] };
      };
    const server = await startOpenAITestServer({
      models: { s1: script("1234 * 56"), s2: script("1234 * 56"), s3: script("1234 * 65"), big: script("1234 * 56") },
    });
    try {
      const result = await main({
        endpoint: { baseURL: server.baseURL, crowd: ["s1", "s2", "s3"], middle: [], oracle: "big" },
        questions: ["What is 1234 times 56?"],
      });
      expect(result.source).toBe("real");
      const [run] = result.runs;
      expect(run.toolMessages).toEqual([{ name: "calculator", content: "69104" }]);
      expect(run.answer).toBe("The answer is 69104.");
      expect(run.steps.map((s) => [s.kind, s.tierName, s.escalated])).toEqual([
        ["tool_calls", "oracle", true],
        ["answer", "crowd", false],
      ]);
      const bodies = server.chatRequests().map((r) => r.body);
      expect(bodies.filter((b) => b?.model === "big")).toHaveLength(1);
      for (const body of bodies) {
        expect(body?.logprobs).toBe(true);
        expect((body?.tools ?? []).map((t) => (t as { function: { name: string } }).function.name).sort()).toEqual([
          "calculator",
          "lookup",
        ]);
      }
    } finally {
      await server.close();
    }
  });
});
