import { AIMessage, HumanMessage } from "@langchain/core/messages";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultPriceFor, usageOf } from "../../src/index.js";
import { warnIfUnpriced } from "../../src/cost/unpriced.js";
import { contentText } from "../../src/cost/usage.js";

// Edges of the cost folder that decide what a call is charged (found by mutation testing, docs/testing.md).

describe("defaultPriceFor: the parameter count read from a model's name", () => {
  it("a mixture of experts with a two-digit expert count multiplies both numbers (16x12b -> 192B)", () => {
    expect(defaultPriceFor("moe-16x12b")).toEqual({ input: 192 * 0.0125, output: 192 * 0.0125 });
  });

  it("a mixture of experts with a decimal expert size keeps the decimals (8x2.5b -> 20B)", () => {
    expect(defaultPriceFor("tiny-8x2.5b")).toEqual({ input: 20 * 0.0125, output: 20 * 0.0125 });
  });

  it("a dense size with two decimals keeps them all (1.25b -> 1.25B)", () => {
    expect(defaultPriceFor("model-1.25b")).toEqual({ input: 1.25 * 0.0125, output: 1.25 * 0.0125 });
  });

  it("a size too large to be a finite number gives no price rather than an infinite one", () => {
    expect(defaultPriceFor(`model-${"9".repeat(400)}b`)).toBeUndefined();
  });
});

describe("contentText: hostile content parts", () => {
  it("a number or a boolean among the parts is skipped, not read for a text field", () => {
    expect(contentText(["a", 7, true, "b"])).toBe("ab");
  });
});

describe("usageOf: counts reported in response_metadata.usage (ChatGroq's stream)", () => {
  const groq = (usage: Record<string, unknown>) => new AIMessage({ content: "12345678", response_metadata: { usage } });

  it("takes both counts when both are numbers", () => {
    expect(usageOf([new HumanMessage("abcd")], groq({ input_tokens: 12, output_tokens: 3 }))).toEqual({
      input: 12,
      output: 3,
      estimated: false,
    });
  });

  it.each([
    ["the input count is a string", { input_tokens: "12", output_tokens: 3 }],
    ["the output count is missing", { input_tokens: 12 }],
    ["the input count is missing", { output_tokens: 3 }],
  ])("estimates from the text when %s", (_, usage) => {
    // 4 prompt characters -> 1 token, 8 output characters -> 2 tokens.
    expect(usageOf([new HumanMessage("abcd")], groq(usage))).toEqual({ input: 1, output: 2, estimated: true });
  });

  it("a message that is not the model's (a human message) is never read for usage: estimated", () => {
    const human = new HumanMessage({
      content: "abcd",
      response_metadata: { usage: { input_tokens: 50, output_tokens: 50 } },
    });
    expect(usageOf([], human)).toEqual({ input: 0, output: 1, estimated: true });
  });
});

describe("warnIfUnpriced: the $0 warning is given only when nothing prices the call", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const spy = () => vi.spyOn(process, "emitWarning").mockImplementation(() => undefined);

  it("says which member, why, and the fix, once per member", () => {
    const emit = spy();
    warnIfUnpriced({ name: "edge-unpriced-a" }, new AIMessage("x"));
    warnIfUnpriced({ name: "edge-unpriced-a" }, new AIMessage("y"));
    expect(emit).toHaveBeenCalledTimes(1);
    expect(emit).toHaveBeenCalledWith(
      'member "edge-unpriced-a" has no price and no parameter count in its name, so its calls count as $0. ' +
        'Fix: give it price: { input, output } (USD per 1M tokens; 0 for a free local model) or prices["edge-unpriced-a"].',
      { type: "PyramidMoaWarning", code: "PYRAMID_MOA_UNPRICED" },
    );
  });

  it("a member whose model reports a finite cost_usd is not warned about (even a cost of 0)", () => {
    const emit = spy();
    warnIfUnpriced({ name: "edge-reported-cost" }, new AIMessage({ content: "x", response_metadata: { cost_usd: 0 } }));
    warnIfUnpriced(
      { name: "edge-reported-cost-2" },
      new AIMessage({ content: "x", response_metadata: { cost_usd: 0.002 } }),
    );
    expect(emit).not.toHaveBeenCalled();
  });

  it.each([
    ["a string", "0.002"],
    ["NaN", Number.NaN],
    ["infinite", Number.POSITIVE_INFINITY],
  ])("a cost_usd that is %s does not price the call: warned", (label, cost) => {
    const emit = spy();
    warnIfUnpriced(
      { name: `edge-bad-cost-${label}` },
      new AIMessage({ content: "x", response_metadata: { cost_usd: cost } }),
    );
    expect(emit).toHaveBeenCalledTimes(1);
  });

  it("a priced member is never warned about, even at a price of 0", () => {
    const emit = spy();
    warnIfUnpriced({ name: "edge-free-local", price: { input: 0, output: 0 } }, new AIMessage("x"));
    expect(emit).not.toHaveBeenCalled();
  });
});
