import { FakeListChatModel } from "@langchain/core/utils/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";

const fake = (answer: string) => new FakeListChatModel({ responses: [`The answer is ${answer}.`] });

afterEach(() => vi.restoreAllMocks());

describe("members without a name", () => {
  it("get distinct names (<class>#1, #2, ...), explicit names are kept", async () => {
    const model = new PyramidChatModel({
      crowd: [fake("42"), fake("42"), { name: "mine", model: fake("41") }, fake("42")],
      oracle: fake("43"),
      task: "math",
      prices: { FakeListChatModel: { input: 1, output: 1 } },
    });
    expect(model.spec.tiers.map((t) => t.members.map((m) => m.name))).toEqual([
      ["FakeListChatModel#1", "FakeListChatModel#2", "mine", "FakeListChatModel#3"],
      ["FakeListChatModel#4"],
    ]);
    // Prices were looked up by the model's own name before renaming.
    expect(model.spec.tiers[0].members[0].price).toEqual({ input: 1, output: 1 });
    const answer = await model.invoke("What is 6 x 7?");
    const pyramid = answer.response_metadata.pyramid as PyramidMetadata;
    expect(pyramid.candidates.map((c) => c.model)).toEqual([
      "FakeListChatModel#1",
      "FakeListChatModel#2",
      "mine",
      "FakeListChatModel#3",
    ]);
  });

  it("a lone unnamed member keeps its model's name", () => {
    const model = new PyramidChatModel({ crowd: [fake("1")], oracle: { name: "big", model: fake("2") } });
    expect(model.spec.tiers.map((t) => t.members.map((m) => m.name))).toEqual([["FakeListChatModel"], ["big"]]);
  });
});

describe("members with neither a price nor a size in their name", () => {
  it("warn once per member that their calls count as $0; priced and sized ones do not", async () => {
    const warn = vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);
    const model = new PyramidChatModel({
      crowd: [
        { name: "unpriced-model", model: fake("42") },
        { name: "llama-8b", model: fake("42") },
        { name: "priced", model: fake("42"), price: { input: 0, output: 0 } },
      ],
      oracle: { name: "big-70b", model: fake("43") },
      task: "math",
    });
    await model.invoke("What is 6 x 7?");
    await model.invoke("What is 6 x 7?");
    const messages = warn.mock.calls.map((call) => String(call[0]));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(
      'member "unpriced-model" has no price and no parameter count in its name, so its calls count as $0',
    );
    expect(warn.mock.calls[0][1]).toMatchObject({ type: "PyramidMoaWarning", code: "PYRAMID_MOA_UNPRICED" });
  });
});
