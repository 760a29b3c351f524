import { describe, expect, it } from "vitest";
import { HumanMessage } from "@langchain/core/messages";
import { PyramidChatModel, buildPyramidGraph, PyramidConfigError } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { InFlight, ScriptedChatModel } from "../helpers/scripted_model.js";

const meta = (message: { response_metadata: Record<string, unknown> }): PyramidMetadata =>
  message.response_metadata.pyramid as PyramidMetadata;

function crowdOf(replies: string[], extra: { delayMs?: number; inFlight?: InFlight } = {}) {
  return replies.map((reply, i) => new ScriptedChatModel({ name: `small-${i}`, reply, ...extra }));
}

describe("PyramidChatModel: routing", () => {
  it("answers from an agreeing crowd without calling the Oracle", async () => {
    const oracle = new ScriptedChatModel({ name: "big", reply: "The answer is 42." });
    const model = new PyramidChatModel({
      crowd: crowdOf(["The answer is 18.", "So $18.00", '{"answer": "18"}']),
      oracle,
      task: "math",
    });
    const result = await model.invoke("Janet's ducks?");
    expect(result.content).toBe("The answer is 18.");
    expect(oracle.calls).toHaveLength(0);
    const pyramid = meta(result);
    expect(pyramid.escalated).toBe(false);
    expect(pyramid.tier).toBe(0);
    expect(pyramid.pFail).toBe(0);
    expect(pyramid.features.vote_share).toBe(1);
    expect(pyramid.candidates.map((c) => c.answer)).toEqual(["18", "$18.00", "18"]);
  });

  it("escalates a split crowd to the Oracle", async () => {
    const oracle = new ScriptedChatModel({ name: "big", reply: "It is 7." });
    const model = new PyramidChatModel({ crowd: crowdOf(["5", "6", "7"]), oracle, task: "math" });
    const result = await model.invoke("?");
    expect(result.content).toBe("It is 7.");
    expect(oracle.calls).toHaveLength(1);
    const pyramid = meta(result);
    expect(pyramid.escalated).toBe(true);
    expect(pyramid.tierName).toBe("oracle");
    expect(pyramid.pFail).toBeCloseTo(2 / 3, 10);
  });

  it("decides at Equation 5's boundary: escalate iff P_fail > C/U + (1 - P_oracle)", async () => {
    // Two of three agree: P_fail = 1 - 2/3 = 1/3.
    const run = async (costBarrier: number, oracleAccuracy: number) => {
      const oracle = new ScriptedChatModel({ name: "big", reply: "9" });
      const model = new PyramidChatModel({
        crowd: crowdOf(["3", "3", "4"]),
        oracle,
        task: "math",
        policy: { costBarrier, oracleAccuracy },
      });
      const result = await model.invoke("?");
      return { escalated: meta(result).escalated, threshold: meta(result).threshold, oracleCalls: oracle.calls.length };
    };
    // threshold = 0.2 + (1 - 0.9) = 0.3 < 1/3: escalate.
    expect(await run(0.2, 0.9)).toMatchObject({ escalated: true, oracleCalls: 1 });
    // threshold = 1/3 exactly (0 + 1 - 2/3): not strictly greater, stays.
    const atBoundary = await run(0, 2 / 3);
    expect(atBoundary.threshold).toBeCloseTo(1 / 3, 12);
    expect(atBoundary).toMatchObject({ escalated: false, oracleCalls: 0 });
    // A plain threshold is the special case.
    const oracle = new ScriptedChatModel({ name: "big", reply: "9" });
    const plain = new PyramidChatModel({
      crowd: crowdOf(["3", "3", "4"]),
      oracle,
      task: "math",
      policy: { threshold: 0.3 },
    });
    expect(meta(await plain.invoke("?")).escalated).toBe(true);
  });

  it("runs the crowd concurrently and keeps the other answers when a member fails", async () => {
    const inFlight = new InFlight();
    const crowd = [
      new ScriptedChatModel({ name: "a", reply: "10", delayMs: 40, inFlight }),
      new ScriptedChatModel({ name: "b", reply: new Error("boom: 500 from server"), delayMs: 20, inFlight }),
      new ScriptedChatModel({ name: "c", reply: "10", delayMs: 40, inFlight }),
    ];
    const oracle = new ScriptedChatModel({ name: "big", reply: "11" });
    const result = await new PyramidChatModel({ crowd, oracle, task: "math" }).invoke("?");
    expect(inFlight.peak).toBe(3);
    const pyramid = meta(result);
    expect(pyramid.candidates[1].error).toMatch(/boom/);
    expect(pyramid.candidates[0].answer).toBe("10");
    expect(pyramid.candidates[2].answer).toBe("10");
    expect(pyramid.features.members_answered).toBe(2);
    expect(pyramid.escalated).toBe(false);
    expect(result.content).toBe("10");
  });

  it("gives the Oracle every candidate in generative mode", async () => {
    const oracle = new ScriptedChatModel({ name: "big", reply: "8" });
    const model = new PyramidChatModel({
      crowd: crowdOf(["I think 5", "maybe 6", "surely 7"]),
      oracle,
      task: "math",
      mode: "generative",
    });
    await model.invoke([new HumanMessage("How many?")]);
    expect(oracle.calls).toHaveLength(1);
    const seen = oracle.calls[0].map((m) => String(m.content)).join("\n");
    for (const text of ["I think 5", "maybe 6", "surely 7", "How many?"]) expect(seen).toContain(text);
  });

  it("does not show candidates to the Oracle in routing mode", async () => {
    const oracle = new ScriptedChatModel({ name: "big", reply: "8" });
    await new PyramidChatModel({ crowd: crowdOf(["I think 5", "maybe 6", "surely 7"]), oracle, task: "math" }).invoke(
      "How many?",
    );
    const seen = oracle.calls[0].map((m) => String(m.content)).join("\n");
    expect(seen).toBe("How many?");
  });

  it("reports summed usage and costs, with the Oracle-only cost", async () => {
    const oracle = new ScriptedChatModel({ name: "big", reply: "7" });
    const model = new PyramidChatModel({
      crowd: crowdOf(["5", "6", "7"]),
      oracle,
      task: "math",
      prices: {
        "small-0": { input: 1, output: 1 },
        "small-1": { input: 1, output: 1 },
        "small-2": { input: 1, output: 1 },
        big: { input: 10, output: 20 },
      },
    });
    const result = await model.invoke("?");
    // Each scripted call reports 10 input tokens and 1 output token.
    expect(result.usage_metadata).toMatchObject({ input_tokens: 40, output_tokens: 4, total_tokens: 44 });
    const cost = meta(result).cost;
    expect(cost.byTier.crowd).toBeCloseTo((3 * 11) / 1e6, 12);
    expect(cost.byTier.oracle).toBeCloseTo((10 * 10 + 20) / 1e6, 12);
    expect(cost.total).toBeCloseTo(cost.byTier.crowd + cost.byTier.oracle, 12);
    expect(cost.oracleOnly).toBeCloseTo(cost.byTier.oracle, 12);
    expect(cost.oracleOnlyEstimated).toBe(false);
  });

  it("rejects bad options with an error naming the field", () => {
    const oracle = new ScriptedChatModel({ name: "big", reply: "7" });
    expect(() => new PyramidChatModel({ crowd: [], oracle })).toThrow(/crowd: needs at least one model/);
    expect(() => new PyramidChatModel({ crowd: crowdOf(["1"]), oracle, policy: { threshold: 2 } })).toThrow(
      PyramidConfigError,
    );
    expect(() => new PyramidChatModel({ crowd: crowdOf(["1"]), oracle, policy: { threshold: 2 } })).toThrow(/policy/);
    expect(() => new PyramidChatModel({ crowd: crowdOf(["1"]), oracle, task: "poetry" as never })).toThrow(/task/);
    expect(() => new PyramidChatModel({ crowd: [{ model: "not a model" as never }], oracle })).toThrow(/crowd\.0/);
    expect(() => new PyramidChatModel({ crowd: crowdOf(["1"]), oracle, policy: "balanced" })).toThrow(
      /policy\.preset: unknown preset/,
    );
  });
});

describe("buildPyramidGraph", () => {
  it("names its nodes crowd, features, router, oracle", () => {
    const graph = buildPyramidGraph({
      crowd: crowdOf(["1"]),
      oracle: new ScriptedChatModel({ name: "big", reply: "1" }),
    });
    const nodes = Object.keys(graph.getGraph().nodes);
    expect(nodes).toEqual(expect.arrayContaining(["crowd", "features", "router", "oracle"]));
  });
});

describe("routers trained on a member order", () => {
  it("refuses a crowd that lists the router's members in another order", () => {
    const router = { predict: () => 0, memberNames: ["small-0", "small-1", "small-2"] };
    const oracle = new ScriptedChatModel({ name: "big", reply: "1" });
    expect(() => new PyramidChatModel({ crowd: crowdOf(["1", "1", "1"]), oracle, router })).not.toThrow();
    const swapped = [...crowdOf(["1", "1", "1"])].reverse();
    expect(() => new PyramidChatModel({ crowd: swapped, oracle, router })).toThrow(
      /router: the router was trained for the same members in another order: it expects \[small-0/,
    );
  });
});

describe("self-reported confidence", () => {
  it("asks members for it and turns their answers into features", async () => {
    const crowd = [
      new ScriptedChatModel({ name: "a", reply: "The answer is 4.\nConfidence: 0.9" }),
      new ScriptedChatModel({ name: "b", reply: "4\nConfidence: 70%" }),
      new ScriptedChatModel({ name: "c", reply: "4" }),
    ];
    const oracle = new ScriptedChatModel({ name: "big", reply: "4" });
    const result = await new PyramidChatModel({ crowd, oracle, task: "math", askConfidence: true }).invoke("2 + 2?");
    expect(String(crowd[0].calls[0].at(-1)?.content)).toMatch(/Confidence: <a number between 0 and 1>/);
    const features = meta(result).features;
    expect(features.confidence_0).toBeCloseTo(0.9, 12);
    expect(features.confidence_1).toBeCloseTo(0.7, 12);
    expect(features.confidence_2).toBeNaN();
    expect(features.confidence_mean).toBeCloseTo(0.8, 12);
    // The confidence lines are not read as answers: all three members answered 4.
    expect(meta(result).candidates.map((c) => c.answer)).toEqual(["4", "4", "4"]);
    expect(features.vote_share).toBe(1);
  });
});
