import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import type { PyramidServer } from "../../src/server/index.js";
import { openAIMember } from "../helpers/openai_members.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";

// A per-request deadline over HTTP (the body's `deadline_ms` or the `x-pyramid-deadline-ms` header), through a real
// pyramid server on loopback in front of a real OpenAI-compatible server whose slow members stream word by word.

let upstream: OpenAITestServer;
let server: PyramidServer;
let url: string;
const SLOW = "Let me see: 4 plus 5 is 9, times 2 is 18, minus 6 is 12, so the answer is 12";

beforeAll(async () => {
  upstream = await startOpenAITestServer({
    models: {
      fast: (request) =>
        JSON.stringify(request.messages).includes("slow crowd")
          ? { content: SLOW, chunkDelayMs: 150 }
          : { content: "The answer is 3" },
      "slow-a": () => ({ content: SLOW, chunkDelayMs: 150 }),
      "slow-b": () => ({ content: SLOW, chunkDelayMs: 150 }),
      apex: () => ({ content: "The answer is 12", delayMs: 5_000 }),
    },
  });
  const model = new PyramidChatModel({
    crowd: [openAIMember(upstream, "fast"), openAIMember(upstream, "slow-a"), openAIMember(upstream, "slow-b")],
    oracle: openAIMember(upstream, "apex"),
    task: "math",
    prices: {
      fast: { input: 1, output: 1 },
      "slow-a": { input: 1, output: 1 },
      "slow-b": { input: 1, output: 1 },
      apex: { input: 5, output: 5 },
    },
  });
  server = createPyramidServer({ model, token: "t0ken" });
  ({ url } = await server.listen(0, "127.0.0.1"));
});

afterAll(async () => {
  await server.close();
  await upstream.close();
});

async function post(content: string, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer t0ken", "content-type": "application/json", ...headers },
    body: JSON.stringify({ model: "pyramid-moa", messages: [{ role: "user", content }], ...body }),
  });
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
