import { describe, expect, it } from "vitest";
import { PyramidConfigError } from "../../src/index.js";
import { DEFAULT_POLICY, decisionPolicySchema, resolveThreshold, shouldEscalate } from "../../src/policy/decision.js";
import { thrownBy } from "../helpers/thrown.js";

describe("resolveThreshold: the escalation threshold of a decision policy", () => {
  it("a plain threshold as it is; Equation 5 as C_esc/U_correct + (1 - P_oracle)", () => {
    expect(resolveThreshold({ threshold: 0.3 }, undefined)).toBe(0.3);
    // 0.125 + (1 - 0.75) = 0.375
    expect(resolveThreshold({ costBarrier: 0.125, oracleAccuracy: 0.75 }, undefined)).toBe(0.375);
    expect(DEFAULT_POLICY).toEqual({ threshold: 0.5 });
  });

  it("a preset from the router's presets; an unknown one names the field and the known presets", () => {
    const router = { presets: { economy: 0.9, balanced: 0.7 } };
    expect(resolveThreshold({ preset: "balanced" }, router)).toBe(0.7);
    const error = thrownBy(() => resolveThreshold({ preset: "fast" }, router, "tiers[0].policy"));
    expect(error).toBeInstanceOf(PyramidConfigError);
    expect((error as PyramidConfigError).message).toContain('unknown preset "fast"');
    expect((error as PyramidConfigError).field).toBe("tiers[0].policy.preset");
    expect((error as PyramidConfigError).fix).toBe('use one of "economy", "balanced"');
    const none = thrownBy(() => resolveThreshold({ preset: "balanced" }, undefined));
    expect((none as PyramidConfigError).field).toBe("policy.preset");
    expect((none as PyramidConfigError).fix).toBe(
      "load a trained router file that stores presets (pyramid-moa train), or give { threshold } instead",
    );
  });

  it("Equation 5 escalates strictly above the threshold", () => {
    expect(shouldEscalate(0.5, 0.5)).toBe(false);
    expect(shouldEscalate(0.5000001, 0.5)).toBe(true);
  });
});

describe("decisionPolicySchema: exactly one of the three policies, in range", () => {
  it.each([
    [{ threshold: 0 }],
    [{ threshold: 1 }],
    [{ costBarrier: 0, oracleAccuracy: 0 }],
    [{ costBarrier: 3, oracleAccuracy: 1 }],
    [{ preset: "b" }],
  ])("accepts %j", (policy) => {
    expect(decisionPolicySchema.parse(policy)).toEqual(policy);
  });

  it.each([
    [{ threshold: -0.01 }],
    [{ threshold: 1.01 }],
    [{ threshold: 0.5, extra: 1 }],
    [{ costBarrier: -1, oracleAccuracy: 0.5 }],
    [{ costBarrier: 0.1, oracleAccuracy: 1.5 }],
    [{ costBarrier: 0.1, oracleAccuracy: -0.5 }],
    [{ costBarrier: 0.1 }],
    [{ preset: "" }],
    [{}],
  ])("refuses %j", (policy) => {
    expect(decisionPolicySchema.safeParse(policy).success).toBe(false);
  });
});
