import { describe, expect, it } from "vitest";
import type { PyramidMetadata } from "../../src/index.js";
import { postChat, pyramidOverUpstream } from "./pyramid_over_upstream.js";

// A per-request deadline over HTTP (the body's `deadline_ms` or the `x-pyramid-deadline-ms` header), through a real
// pyramid server on loopback in front of a real OpenAI-compatible server whose slow members stream word by word.

const SLOW = "Let me see: 4 plus 5 is 9, times 2 is 18, minus 6 is 12, so the answer is 12";

const running = pyramidOverUpstream({
  models: {
    fast: (request) =>
      JSON.stringify(request.messages).includes("slow crowd")
        ? { content: SLOW, chunkDelayMs: 150 }
        : { content: "The answer is 3" },
    "slow-a": () => ({ content: SLOW, chunkDelayMs: 150 }),
    "slow-b": () => ({ content: SLOW, chunkDelayMs: 150 }),
    apex: () => ({ content: "The answer is 12", delayMs: 5_000 }),
  },
  crowd: ["fast", "slow-a", "slow-b"],
  oracle: "apex",
  options: {
    task: "math",
    prices: {
      fast: { input: 1, output: 1 },
      "slow-a": { input: 1, output: 1 },
      "slow-b": { input: 1, output: 1 },
      apex: { input: 5, output: 5 },
    },
  },
});

async function post(content: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await postChat(running.url, content, body, headers);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const pyramidOf = (json: Record<string, unknown>) => json.pyramid as PyramidMetadata;
const text = (json: Record<string, unknown>) => (json.choices as { message: { content: string } }[])[0].message.content;

describe("serve: a per-request deadline", () => {
  it("x-pyramid-deadline-ms: the slow members are cut, the answer in hand returns with deadline: true", async () => {
    const { status, json } = await post("1 + 2?", {}, { "x-pyramid-deadline-ms": "600" });
    expect(status).toBe(200);
    const pyramid = pyramidOf(json);
    expect(pyramid.deadline).toBe(true);
    expect(text(json)).toBe("The answer is 3");
    expect(pyramid.cut?.members.map((m) => m.model).sort()).toEqual(["slow-a", "slow-b"]);
    expect(pyramid.cut?.tiers).toEqual(["crowd"]);
    expect(pyramid.tier).toBe(0);
  });

  it("deadline_ms in the body: nobody finished, the partial outputs' answer stands, charged as far as streamed", async () => {
    const { status, json } = await post("slow crowd: 4 + 5, doubled, minus 6?", { deadline_ms: 800 });
    expect(status).toBe(200);
    const pyramid = pyramidOf(json);
    expect(pyramid.deadline).toBe(true);
    expect(pyramid.cut?.members).toHaveLength(3);
    expect(pyramid.candidates.some((c) => c.schedule?.partial === true)).toBe(true);
    expect(text(json)).not.toBe("");
    expect(text(json)).not.toContain("the answer is 12");
    expect(pyramid.cost.total).toBeGreaterThan(0);
  });

  it("refuses a deadline that is not a positive number, naming it", async () => {
    const header = await post("1 + 2?", {}, { "x-pyramid-deadline-ms": "soon" });
    expect(header.status).toBe(400);
    expect(JSON.stringify(header.json)).toContain("x-pyramid-deadline-ms");
    const body = await post("1 + 2?", { deadline_ms: -1 });
    expect(body.status).toBe(400);
    expect(JSON.stringify(body.json)).toContain("deadline_ms");
  });
});
