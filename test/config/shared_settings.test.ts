import { readFileSync } from "node:fs";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { describe, expect, it } from "vitest";
import { PyramidChatModel, PyramidConfigError } from "../../src/index.js";
import type { PyramidOptions } from "../../src/index.js";
import { pyramidFromConfig, validatePyramidConfig } from "../../src/config/index.js";
import { PYRAMID_SETTING_KEYS } from "../../src/graph/settings.js";
import type { PyramidSettings } from "../../src/graph/settings.js";

// One option schema shared by the chat model and the config file: every plain-data setting is accepted by both,
// resolves the same way in both, and is refused with the same message by both.

const settings: Required<PyramidSettings> = {
  policy: { costBarrier: 0.1, oracleAccuracy: 0.9 },
  mode: "generative",
  task: "math",
  askConfidence: true,
  codeBehaviour: false,
  onApexError: "throw",
  maxCostPerQuery: 0.02,
  onBudgetExceeded: "throw",
  memberTimeoutMs: 1234,
  memberRetries: 2,
  lookahead: { utility: 1, tiers: [{ cost: 0.01, accuracy: 0.9 }], rule: "myopic" },
  allowRouterMemberMismatch: true,
  unsafeAllowUnsandboxedCode: true,
  generativePrompt: "Candidates:\n{candidates}\nAnswer.",
  schedule: "waves",
  speculative: true,
  deadlineMs: 60_000,
  similarity: "lexical",
  similarityThreshold: 0.4,
};

const remote = (model: string) => ({ provider: "openai" as const, model, baseURL: "http://127.0.0.1:9/v1" });
const fake = (name: string) => ({ name, model: new FakeListChatModel({ responses: ["1"] }) });

function fromCode(overrides: Partial<PyramidOptions> = {}): PyramidChatModel {
  return new PyramidChatModel({ crowd: [fake("a"), fake("b")], oracle: fake("c"), ...settings, ...overrides });
}

async function fromConfig(overrides: Record<string, unknown> = {}): Promise<PyramidChatModel> {
  return pyramidFromConfig({
    tiers: [
      { name: "crowd", members: [remote("a"), remote("b")] },
      { name: "oracle", members: [remote("c")] },
    ],
    ...settings,
    ...overrides,
  } as Parameters<typeof pyramidFromConfig>[0]);
}

function errorOf(run: () => unknown): PyramidConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof PyramidConfigError) return error;
    throw error;
  }
  throw new Error("expected a PyramidConfigError");
}

async function asyncErrorOf(run: () => Promise<unknown>): Promise<PyramidConfigError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof PyramidConfigError) return error;
    throw error;
  }
  throw new Error("expected a PyramidConfigError");
}

describe("pyramid settings: one schema for code and config file", () => {
  it("covers every plain-data option (the test's settings object sets each one)", () => {
    expect(Object.keys(settings).sort()).toEqual([...PYRAMID_SETTING_KEYS].sort());
  });

  it("resolves every setting the same way from code and from a config file", async () => {
    const code = fromCode().spec;
    const config = (await fromConfig()).spec;
    const comparable = (spec: PyramidChatModel["spec"]) => ({
      mode: spec.mode,
      task: spec.task,
      askConfidence: spec.askConfidence,
      onApexError: spec.onApexError,
      maxCostPerQuery: spec.maxCostPerQuery,
      onBudgetExceeded: spec.onBudgetExceeded,
      lookahead: spec.lookahead,
      thresholds: spec.tiers.map((tier) => tier.threshold),
      timeouts: spec.tiers.flatMap((tier) => tier.members.map((m) => m.timeoutMs)),
      retries: spec.tiers.flatMap((tier) => tier.members.map((m) => m.retries)),
      prompt: spec.generativePrompt([]),
      features: spec.featureGroups.map((group) => group.name),
      schedules: spec.tiers.map((tier) => tier.schedule),
      similarity: spec.similarity && { kind: spec.similarity.kind, threshold: spec.similarity.threshold },
    });
    expect(comparable(config)).toEqual(comparable(code));
    expect(code.tiers[0].threshold).toBeCloseTo(0.2, 12); // Equation 5: 0.1 + (1 - 0.9)
    expect(code.tiers[0].members[0].timeoutMs).toBe(1234);
    expect(code.tiers[0].members[0].retries).toBe(2);
    expect(code.tiers.map((tier) => tier.schedule)).toEqual(["waves", "parallel"]); // the apex waits for all
  });

  it("accepts a preset name as a tier's policy in code, as the config file does", () => {
    const error = errorOf(
      () =>
        new PyramidChatModel({
          tiers: [
            { name: "crowd", models: [fake("a")], policy: "balanced" },
            { name: "oracle", models: [fake("c")] },
          ],
        }),
    );
    expect(error.field).toBe("tiers.0.policy.preset");
  });

  const bad: readonly [string, Record<string, unknown>, string][] = [
    ["memberRetries", { memberRetries: 11 }, "must be at most 10"],
    ["memberTimeoutMs", { memberTimeoutMs: 2.5 }, "must be a whole number of milliseconds"],
    ["maxCostPerQuery", { maxCostPerQuery: -1 }, "must be a number of USD >= 0"],
    ["lookahead.utility", { lookahead: { utility: 0, tiers: [{ cost: 1, accuracy: 1 }] } }, "must be a positive"],
    ["generativePrompt", { generativePrompt: "no placeholder" }, 'must contain the "{candidates}" placeholder'],
    ["similarityThreshold", { similarityThreshold: 1.5 }, "must be between 0 and 1"],
  ];
  for (const [field, override, message] of bad) {
    it(`refuses a bad ${field} with the same message in code and in the config file`, async () => {
      const code = errorOf(() => fromCode(override as Partial<PyramidOptions>));
      expect(code.field).toBe(field);
      expect(code.message).toContain(message);
      const config = await asyncErrorOf(() => fromConfig(override));
      expect(config.message).toContain(`${field}: ${message}`);
    });
  }

  it("refuses a member retry count above 10 in code and in the config file", async () => {
    const code = errorOf(() => fromCode({ crowd: [{ ...fake("a"), retries: 11 }, fake("b")] }));
    expect(code.message).toContain("must be at most 10");
    const config = errorOf(() =>
      validatePyramidConfig({
        tiers: [
          { name: "crowd", members: [{ ...remote("a"), retries: 11 }] },
          { name: "o", members: [remote("c")] },
        ],
      }),
    );
    expect(config.message).toContain("tiers[0].members[0].retries: must be at most 10");
  });

  it("documents every setting in the config file reference", () => {
    const reference = readFileSync(new URL("../../docs/config.md", import.meta.url), "utf8");
    const missing = PYRAMID_SETTING_KEYS.filter((key) => !reference.includes(`| \`${key}\` |`));
    expect(missing).toEqual([]);
  });
});
