import { describe, expect, it } from "vitest";
import { HumanMessage } from "@langchain/core/messages";
import { MAX_RETRY_AFTER_MS, retryAfterMs, retryDelayMs } from "../../src/members/backoff.js";
import { callMember } from "../../src/members/call.js";
import { resolveMember } from "../../src/members/resolve.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

/** A 429 as the OpenAI client throws it: `status` and a `Headers` object. */
function rateLimited(headers: Record<string, string>): Error {
  return Object.assign(new Error("429 Too Many Requests"), { status: 429, headers: new Headers(headers) });
}

/** A model that fails its first call with `error` and answers "42" after; records when each call started. */
function failOnce(error: Error): { model: ScriptedChatModel; times: number[] } {
  const times: number[] = [];
  const model = new ScriptedChatModel({
    name: "limited",
    reply: () => {
      times.push(performance.now());
      return times.length === 1 ? error : "The answer is 42";
    },
  });
  return { model, times };
}

const context = { tier: 0, index: 0, task: "math" as const };

describe("Retry-After", () => {
  it("reads seconds, milliseconds and HTTP dates from Headers, plain objects and error.response", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(rateLimited({ "retry-after": "0.2" }), now)).toBe(200);
    expect(retryAfterMs(rateLimited({ "Retry-After": "3" }), now)).toBe(3000);
    expect(retryAfterMs(rateLimited({ "retry-after-ms": "150", "retry-after": "9" }), now)).toBe(150);
    expect(retryAfterMs(rateLimited({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(5000);
    expect(retryAfterMs(rateLimited({ "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }), now)).toBe(0);
    expect(retryAfterMs(Object.assign(new Error("x"), { headers: { "Retry-After": "2" } }), now)).toBe(2000);
    expect(
      retryAfterMs(Object.assign(new Error("x"), { response: { status: 429, headers: { "retry-after": "1" } } }), now),
    ).toBe(1000);
    expect(retryAfterMs(new Error("wrapped", { cause: rateLimited({ "retry-after": "4" }) }), now)).toBe(4000);
    for (const bad of ["soon", "", "-1", "NaN"])
      expect(retryAfterMs(rateLimited({ "retry-after": bad }), now)).toBeUndefined();
    expect(retryAfterMs(new Error("no headers"), now)).toBeUndefined();
    expect(retryAfterMs("string", now)).toBeUndefined();
  });

  it("waits the hinted time instead of the backoff, capped at 60 s and by the member's remaining time budget", () => {
    const member = { backoffMs: 1, jitter: false, retries: 3, timeoutMs: 600_000 };
    expect(retryDelayMs(member, 1, rateLimited({ "retry-after": "0.2" }), 0)).toBe(200);
    expect(retryDelayMs(member, 1, rateLimited({ "retry-after": "3600" }), 0)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryDelayMs(member, 1, new Error("no hint"), 0)).toBe(1);
    // Worst case 3*100 + 10 + 20 = 330 ms; after 50 ms, with 2 attempts (200 ms) and one backoff (20 ms) to come: 60 ms left.
    const tight = { backoffMs: 10, jitter: false, retries: 2, timeoutMs: 100 };
    expect(retryDelayMs(tight, 1, rateLimited({ "retry-after": "3600" }), 50)).toBe(60);
    expect(retryDelayMs(tight, 1, rateLimited({ "retry-after": "3600" }), 1000)).toBe(0);
  });

  it("a member that gets a 429 with Retry-After: 0.2 retries no earlier than 0.2 s later", async () => {
    const { model, times } = failOnce(rateLimited({ "retry-after": "0.2" }));
    const member = resolveMember({ model, retries: 2, backoffMs: 1 }, {}, {});
    const candidate = await callMember(member, [new HumanMessage("6*7?")], context);
    expect(candidate.error).toBeUndefined();
    expect(candidate.answer).toBe("42");
    expect(times).toHaveLength(2);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(195);
  });

  it("a huge Retry-After does not stall a member past its time budget", async () => {
    const { model, times } = failOnce(rateLimited({ "retry-after": "3600" }));
    const member = resolveMember({ model, retries: 1, backoffMs: 10, timeoutMs: 100 }, {}, {});
    const candidate = await callMember(member, [new HumanMessage("6*7?")], context);
    expect(candidate.answer).toBe("42");
    expect(times).toHaveLength(2);
    // The budget is 2*100 + 10 ms; waiting the hinted hour would time the test out.
    expect(times[1] - times[0]).toBeLessThan(30_000);
  });
});
