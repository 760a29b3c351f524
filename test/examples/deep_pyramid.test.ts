import { describe, expect, it } from "vitest";
import { answerKey, goldKey, main, recordedDeepStore, summarize, TIERS } from "../../examples/deep_pyramid.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import { getRecordedItems } from "../../src/replay/index.js";

describe("examples/deep_pyramid.ts", () => {
  it("runs 8B -> 70B -> 405B over 200 recorded GSM8K questions, beating the crowd's vote for less than the apex's cost", async () => {
    const result = await main({ offline: true });
    expect(result.source).toBe("recorded");
    expect(result.questions).toBe(200);
    expect(result.tiers.map((t) => t.name)).toEqual(["small", "70B", "apex"]);
    expect(result.tiers.reduce((sum, t) => sum + t.stopped, 0)).toBe(200);
    for (const tier of result.tiers) expect(tier.stopped).toBeGreaterThan(0);

    expect(result.accuracy.pyramid).toBeGreaterThanOrEqual(result.accuracy.crowdMajority);
    expect(result.cost.pyramid).toBeGreaterThan(0);
    expect(result.cost.pyramid).toBeLessThan(result.cost.apexAlone);

    // Independent check from the recorded data: the small tier answers exactly the unanimous questions
    // (threshold 0.3), and its majority accuracy and the apex's accuracy match the recorded outputs.
    const items = getRecordedItems(recordedDeepStore()).slice(0, 200);
    const small = TIERS[0].models;
    const unanimous = new Set(
      items
        .filter((item) => {
          const keys = small.map((m) => answerKey(item.byModel.get(m)?.output ?? "")).filter((k) => k !== null);
          return keys.length > 0 && keys.every((k) => k === keys[0]);
        })
        .map((item) => item.id),
    );
    const stoppedAtSmall = new Set(result.perQuery.filter((q) => q.tierName === "small").map((q) => q.id));
    expect(stoppedAtSmall).toEqual(unanimous);
    const apexCorrect = items.filter(
      (item) => answerKey(item.byModel.get(TIERS[2].models[0])?.output ?? "") === goldKey(item),
    );
    expect(result.accuracy.apexAlone).toBeCloseTo(apexCorrect.length / 200, 12);
  });

  it("routes with the shipped per-boundary routers and their joint preset", async () => {
    const result = await main({ offline: true, routers: "shipped", preset: "balanced", limit: 60 });
    expect(result.threshold).toBe("balanced");
    expect(result.tiers.reduce((sum, t) => sum + t.stopped, 0)).toBe(60);
    expect(result.tiers.map((t) => t.models[0])).toEqual([
      "Meta-Llama-3.1-8B-Instruct",
      "Meta-Llama-3.1-70B-Instruct",
      "Meta-Llama-3.1-405B-Instruct",
    ]);
    expect(result.cost.pyramid).toBeLessThan(result.cost.apexAlone);
    expect(summarize(result)).toContain('the joint "balanced" preset of the shipped routers');
  });

  it("on real endpoints says the apex alone was not measured instead of printing NaN%", async () => {
    const server = await startOpenAITestServer({
      models: {
        s1: () => ({ content: "The answer is 18." }),
        s2: () => ({ content: "The answer is 18." }),
        s3: () => ({ content: "It is 17." }),
        m1: () => ({ content: "18" }),
        big: () => ({ content: "18" }),
      },
    });
    try {
      const result = await main({
        endpoint: { baseURL: server.baseURL, crowd: ["s1", "s2", "s3"], middle: ["m1"], oracle: "big" },
        limit: 2,
      });
      expect(result.source).toBe("real");
      const text = summarize(result);
      expect(text).not.toContain("NaN");
      expect(text).toContain(
        "apex alone        not measured (real endpoints: the apex answers only the escalated questions)",
      );
    } finally {
      await server.close();
    }
  });
});
