import { AIMessage, HumanMessage, SystemMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { costOf, defaultPriceFor, estimateTokens, messageText, priceSchema, usageOf } from "../../src/index.js";
import { contentText } from "../../src/cost/usage.js";

describe("defaultPriceFor: price proportional to the parameter count in the model's name (0.0125 USD/1M/B)", () => {
  it.each([
    ["Meta-Llama-3.1-70B-Instruct", 70 * 0.0125], // dense: 0.875
    ["gemma-2-9b-it", 9 * 0.0125],
    ["qwen2.5-0.5b", 0.5 * 0.0125], // decimals
    ["mixtral-8x7b-chat", 56 * 0.0125], // mixture of experts: 8 x 7
    ["Mixtral-8x22B", 176 * 0.0125],
    ["8B", 8 * 0.0125], // at the start of the name
  ])("%s -> %f USD per 1M tokens, input and output", (name, usd) => {
    const price = defaultPriceFor(name);
    expect(price?.input).toBeCloseTo(usd, 12);
    expect(price?.output).toBeCloseTo(usd, 12);
  });

  it.each([["gpt-4-1106-preview"], ["claude-v2"], ["model-0b"], ["qwen-.5b"], ["13bit"], ["llama"]])(
    "%s has no parameter count: undefined",
    (name) => {
      // "qwen-.5b": the digits follow a dot, not a whole number; "13bit": "b" is followed by a letter; 0b is no size.
      expect(defaultPriceFor(name)).toBeUndefined();
    },
  );

  it("the price schema refuses a negative price, saying what the number is", () => {
    const bad = priceSchema.safeParse({ input: -1, output: -2 });
    expect(bad.success).toBe(false);
    expect(bad.error?.issues.map((i) => i.message)).toEqual([
      "must be a number >= 0 (USD per 1M input tokens)",
      "must be a number >= 0 (USD per 1M output tokens)",
    ]);
  });
});

describe("messageText and usageOf: the token estimate where the model reports none", () => {
  it("joins the text parts of a multi-part content and ignores the rest", () => {
    expect(contentText("plain")).toBe("plain");
    expect(
      contentText(["a", { type: "text", text: "b" }, { type: "image_url", image_url: "x" }, { text: 3 }, null]),
    ).toBe("ab");
    expect(contentText(42)).toBe("");
    expect(
      messageText(
        new HumanMessage({
          content: [
            { type: "text", text: "hi " },
            { type: "text", text: "there" },
          ],
        }),
      ),
    ).toBe("hi there");
  });

  it("estimates 1 token per 4 characters, rounded up, over every prompt message", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("abcde")).toBe(2);
    const prompt = [new SystemMessage("abc"), new HumanMessage("defgh")]; // 8 characters -> 2 tokens
    expect(usageOf(prompt, new AIMessage("123456789"))).toEqual({ input: 2, output: 3, estimated: true });
    expect(usageOf(prompt, undefined)).toEqual({ input: 2, output: 0, estimated: true });
  });

  it("takes the model's reported counts, marked estimated only when the model flags them", () => {
    const reported = new AIMessage({
      content: "x",
      usage_metadata: { input_tokens: 11, output_tokens: 0, total_tokens: 11 },
    });
    expect(usageOf([new HumanMessage("long prompt")], reported)).toEqual({ input: 11, output: 0, estimated: false });
    const onlyOutput = new AIMessage({
      content: "x",
      usage_metadata: { input_tokens: 0, output_tokens: 5, total_tokens: 5 },
    });
    expect(usageOf([], onlyOutput)).toEqual({ input: 0, output: 5, estimated: false });
    const flagged = new AIMessage({
      content: "x",
      usage_metadata: { input_tokens: 7, output_tokens: 2, total_tokens: 9 },
      response_metadata: { tokenUsageEstimated: true },
    });
    expect(usageOf([], flagged)).toEqual({ input: 7, output: 2, estimated: true });
    // Zero counts are no report: the estimate is used.
    const zero = new AIMessage({
      content: "12345",
      usage_metadata: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
    });
    expect(usageOf([new HumanMessage("abcd")], zero)).toEqual({ input: 1, output: 2, estimated: true });
    // A non-AI message carries no usage: estimated.
    expect(usageOf([], new HumanMessage("abcd"))).toEqual({ input: 0, output: 1, estimated: true });
  });
});

describe("costOf: a reported cost, else tokens x price", () => {
  it("prices input and output tokens per million", () => {
    expect(costOf({ input: 1000, output: 2000, estimated: false }, { input: 3, output: 5 })).toBeCloseTo(0.013, 15);
    expect(costOf({ input: 1000, output: 2000, estimated: false }, undefined)).toBe(0);
  });

  it("uses a finite cost_usd the message reports, and ignores one that is not a finite number", () => {
    const usage = { input: 1_000_000, output: 0, estimated: false };
    const price = { input: 1, output: 1 };
    expect(costOf(usage, price, new AIMessage({ content: "", response_metadata: { cost_usd: 0.25 } }))).toBe(0.25);
    expect(costOf(usage, undefined, new AIMessage({ content: "", response_metadata: { cost_usd: 0 } }))).toBe(0);
    expect(costOf(usage, price, new AIMessage({ content: "", response_metadata: { cost_usd: "0.25" } }))).toBe(1);
    expect(costOf(usage, price, new AIMessage({ content: "", response_metadata: { cost_usd: Number.NaN } }))).toBe(1);
    expect(costOf(usage, price, new AIMessage({ content: "", response_metadata: { cost: 0.5 } }))).toBe(1);
  });
});
