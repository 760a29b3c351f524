import { describe, expect, it } from "vitest";

// The trace schemas are built when src/traces/schema.ts is first imported. A change that makes that construction
// throw (a discriminated union option without its key, say) fails every test file importing the module at load time,
// before any test runs; Stryker's vitest runner counts such a file as zero tests run, and reports the mutant as
// surviving (docs/testing.md, static mutants). Importing the module inside a test turns that failure into a failed
// test. This file must not import src/traces (directly or through a helper) at its top.

describe("the production trace schemas", () => {
  it("load, and read one line of each type", async () => {
    const { trafficLineSchema } = await import("../../src/traces/schema.js");
    const time = "2026-12-01T10:00:00.000Z";
    expect(trafficLineSchema.parse({ type: "feedback", id: "q1", time, correct: true })).toEqual({
      type: "feedback",
      id: "q1",
      time,
      correct: true,
    });
    const shadow = { type: "shadow", id: "q1", time, apexAnswer: "2", agrees: false, costUsd: 0.01, latencyMs: 3 };
    expect(trafficLineSchema.parse(shadow)).toEqual(shadow);
    expect(trafficLineSchema.safeParse({ type: "other", id: "q1", time }).success).toBe(false);
  });
});
