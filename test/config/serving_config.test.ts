import { describe, expect, it } from "vitest";
import { BudgetTracker } from "../../src/index.js";
import { ConfigFileError, parsePyramidConfig, pyramidFromConfig } from "../../src/config/index.js";

const TIERS = `
tiers:
  - name: crowd
    members: [{ provider: openai, model: a, baseURL: "http://127.0.0.1:9/v1" }]
  - name: oracle
    members: [{ provider: openai, model: b, baseURL: "http://127.0.0.1:9/v1" }]
`;

function issues(yaml: string): string[] {
  try {
    parsePyramidConfig(TIERS + yaml, "pyramid.config.yaml");
  } catch (error) {
    if (error instanceof ConfigFileError) return error.issues.map((i) => `${i.path}: ${i.message} | ${i.fix}`);
    throw error;
  }
  return [];
}

describe("config budget and tenants", () => {
  it("accepts a shared budget and tenants", () => {
    const config = parsePyramidConfig(
      `${TIERS}
budget: { limitUsd: 20, window: day, redis: "redis://127.0.0.1:6379/0", reservationTtlMs: 60000 }
tenants:
  - { name: team-a, keyEnv: TEAM_A_KEY, budgetUsd: 5, requestsPerMinute: 60, tokensPerMinute: 100000 }
  - { name: team-b, keyEnv: TEAM_B_KEY }
`,
      "pyramid.config.yaml",
    );
    expect(config.budget).toEqual({
      limitUsd: 20,
      window: "day",
      redis: "redis://127.0.0.1:6379/0",
      reservationTtlMs: 60000,
    });
    expect(config.tenants?.map((t) => t.name)).toEqual(["team-a", "team-b"]);
  });

  it("names the field and the fix for each mistake", () => {
    expect(issues("budget: { limitUsd: -1 }")).toEqual([
      "budget.limitUsd: must be a number of USD >= 0 | give a number of USD between 0 and 9000000",
    ]);
    expect(issues("budget: { limitUsd: 1, window: week }")[0]).toMatch(
      /^budget\.window: .* \| use "day", "month" or "total"$/,
    );
    expect(issues('budget: { limitUsd: 1, redis: "http://x:6379" }')[0]).toMatch(
      /^budget\.redis: must be a redis:\/\/ .*\| give a redis:\/\/ URL/,
    );
    expect(issues("tenants: [{ name: a, keyEnv: sk-abc123 }]")[0]).toMatch(
      /^tenants\[0\]\.keyEnv: must be the NAME of an environment variable/,
    );
    expect(issues("tenants: [{ name: a, keyEnv: K1 }, { name: a, keyEnv: K2 }]")[0]).toMatch(
      /^tenants\[1\]\.name: "a" is used by two tenants/,
    );
    expect(issues("tenants: [{ name: a, keyEnv: K1, requestsPerMinute: 0.5 }]")[0]).toMatch(
      /^tenants\[0\]\.requestsPerMinute: must be a whole number/,
    );
    expect(issues("tenants: [{ name: a, keyEnv: K1, key: sk-123 }]")[0]).toMatch(
      /^tenants\[0\]\.key: API keys never go in the config file/,
    );
  });

  it("gives the pyramid an in-process budget without a redis URL", async () => {
    const model = await pyramidFromConfig(
      parsePyramidConfig(`${TIERS}\nbudget: { limitUsd: 3, window: month }\n`, "pyramid.config.yaml"),
    );
    expect(model.spec.budget).toBeInstanceOf(BudgetTracker);
    expect(model.spec.budget?.limitUsd).toBe(3);
    expect(model.spec.budget?.window).toBe("month");
  });
});
