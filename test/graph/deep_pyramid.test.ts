import { describe, expect, it } from "vitest";
import { PyramidChatModel, buildPyramidGraph } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

const meta = (message: { response_metadata: Record<string, unknown> }): PyramidMetadata =>
  message.response_metadata.pyramid as PyramidMetadata;

function threeTiers(small: string[], mid: string[], apex: string) {
  const tiers = {
    small: small.map((reply, i) => new ScriptedChatModel({ name: `8b-${i}`, reply })),
    mid: mid.map((reply, i) => new ScriptedChatModel({ name: `70b-${i}`, reply })),
    apex: new ScriptedChatModel({ name: "405b", reply: apex }),
  };
  const model = new PyramidChatModel({
    tiers: [
      { name: "8B", models: tiers.small },
      { name: "70B", models: tiers.mid },
      { name: "405B", models: [tiers.apex] },
    ],
    task: "math",
    policy: { threshold: 0.3 },
  });
  return { model, tiers };
}

describe("deep pyramids", () => {
  it("stops at the crowd when it agrees", async () => {
    const { model, tiers } = threeTiers(["4", "4", "4"], ["5"], "6");
    const result = await model.invoke("?");
    expect(meta(result)).toMatchObject({ tier: 0, tierName: "8B", escalated: false });
    expect(tiers.mid[0].calls).toHaveLength(0);
    expect(tiers.apex.calls).toHaveLength(0);
  });

  it("stops at the middle tier when it agrees with the pool", async () => {
    // Crowd splits 4/4/5 (P_fail 1/3 > 0.3); the 70B says 4: the pool of four agrees 3/4, P_fail 0.25 <= 0.3.
    const { model, tiers } = threeTiers(["4", "4", "5"], ["4"], "6");
    const result = await model.invoke("?");
    const pyramid = meta(result);
    expect(pyramid).toMatchObject({ tier: 1, tierName: "70B", escalated: true });
    expect(pyramid.decisions.map((d) => [d.tierName, d.escalated])).toEqual([
      ["8B", true],
      ["70B", false],
    ]);
    expect(pyramid.decisions[1].pFail).toBeCloseTo(0.25, 12);
    expect(tiers.apex.calls).toHaveLength(0);
    expect(result.content).toBe("4");
  });

  it("escalates tier by tier up to the apex", async () => {
    const { model, tiers } = threeTiers(["1", "2", "3"], ["4"], "The answer is 6");
    const result = await model.invoke("?");
    const pyramid = meta(result);
    expect(pyramid).toMatchObject({ tier: 2, tierName: "405B", escalated: true });
    expect(pyramid.decisions.map((d) => d.escalated)).toEqual([true, true]);
    expect(tiers.mid[0].calls).toHaveLength(1);
    expect(tiers.apex.calls).toHaveLength(1);
    expect(Object.keys(pyramid.cost.byTier)).toEqual(["8B", "70B", "405B"]);
    expect(result.content).toBe("The answer is 6");
  });

  it("builds a graph with a features/router pair between every pair of tiers", () => {
    const m = (name: string) => new ScriptedChatModel({ name, reply: "1" });
    const graph = buildPyramidGraph({
      tiers: [
        { name: "a", models: [m("a")] },
        { name: "b", models: [m("b")] },
        { name: "c", models: [m("c")] },
      ],
    });
    expect(Object.keys(graph.getGraph().nodes)).toEqual(
      expect.arrayContaining(["crowd", "features", "router", "tier_1", "features_1", "router_1", "oracle"]),
    );
  });
});

describe("look-ahead policy in a deep pyramid", () => {
  // Crowd 3/4 agree: P_fail = 0.25. Tier 1 alone is weak (70%), tier 2 strong (99%): only looking ahead pays.
  const build = (rule: "myopic" | "optimal") => {
    const small = ["4", "4", "4", "5"].map((reply, i) => new ScriptedChatModel({ name: `s${i}`, reply }));
    const mid = new ScriptedChatModel({ name: "mid", reply: "5" });
    const apex = new ScriptedChatModel({ name: "apex", reply: "5" });
    const model = new PyramidChatModel({
      tiers: [
        { name: "small", models: small },
        { name: "mid", models: [mid] },
        { name: "apex", models: [apex] },
      ],
      task: "math",
      lookahead: {
        utility: 1,
        rule,
        tiers: [
          { accuracy: 0.7, cost: 0.01 },
          { accuracy: 0.99, cost: 0.05 },
        ],
      },
    });
    return { model, mid, apex };
  };

  it("the myopic rule stops at the crowd", async () => {
    const { model, mid } = build("myopic");
    const pyramid = meta(await model.invoke("?"));
    expect(pyramid.tierName).toBe("small");
    expect(pyramid.decisions[0].lookahead).toMatchObject({ rule: "myopic" });
    expect(pyramid.decisions[0].lookahead?.valueContinue).toBeCloseTo(0.69, 12);
    expect(mid.calls).toHaveLength(0);
  });

  it("the optimal rule looks past the weak middle tier and escalates", async () => {
    const { model, mid } = build("optimal");
    const pyramid = meta(await model.invoke("?"));
    expect(pyramid.decisions[0]).toMatchObject({ escalated: true, lookahead: { rule: "optimal" } });
    expect(pyramid.decisions[0].lookahead?.valueContinue).toBeGreaterThan(
      pyramid.decisions[0].lookahead?.valueStop ?? 1,
    );
    expect(mid.calls).toHaveLength(1);
  });

  it("rejects a look-ahead with the wrong number of tier estimates", () => {
    const m = (name: string) => new ScriptedChatModel({ name, reply: "1" });
    expect(
      () =>
        new PyramidChatModel({
          crowd: [m("a")],
          oracle: m("b"),
          lookahead: {
            utility: 1,
            tiers: [
              { accuracy: 0.9, cost: 0 },
              { accuracy: 0.9, cost: 0 },
            ],
          },
        }),
    ).toThrow(/lookahead\.tiers/);
  });
});
