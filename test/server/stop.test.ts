import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyramidChatModel } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import type { PyramidServer } from "../../src/server/index.js";
import { openAIMember, requestsOf } from "../helpers/openai_members.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";

// `stop` of a chat completions request reaches every member call, the apex's included, through a real HTTP server
// in front of the pyramid and a real OpenAI-compatible server behind it.

let upstream: OpenAITestServer;
let server: PyramidServer;
let url: string;

beforeAll(async () => {
  upstream = await startOpenAITestServer({
    models: {
      "crowd-a": () => ({ content: "1" }),
      "crowd-b": () => ({ content: "2" }),
      apex: () => ({ content: "The answer is 3" }),
    },
  });
  const model = new PyramidChatModel({
    crowd: [openAIMember(upstream, "crowd-a"), openAIMember(upstream, "crowd-b")],
    oracle: openAIMember(upstream, "apex"),
    task: "math",
    policy: { threshold: 0 },
    prices: { "crowd-a": { input: 0, output: 0 }, "crowd-b": { input: 0, output: 0 }, apex: { input: 0, output: 0 } },
  });
  server = createPyramidServer({ model, token: "t0ken" });
  ({ url } = await server.listen(0, "127.0.0.1"));
});

afterAll(async () => {
  await server.close();
  await upstream.close();
});

async function post(body: Record<string, unknown>): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: "Bearer t0ken", "content-type": "application/json" },
    body: JSON.stringify({ model: "pyramid-moa", messages: [{ role: "user", content: "1 + 2?" }], ...body }),
  });
}

function stopsReceived(): unknown[] {
  return ["crowd-a", "crowd-b", "apex"].map((name) => requestsOf(upstream, name).at(-1)?.stop);
}

describe("serve: stop sequences", () => {
  it("passes a list of stop sequences to every member call (the crowd split, so the apex is called too)", async () => {
    const response = await post({ stop: ["\nQ:", "###"] });
    expect(response.status).toBe(200);
    expect(stopsReceived()).toEqual([
      ["\nQ:", "###"],
      ["\nQ:", "###"],
      ["\nQ:", "###"],
    ]);
  });

  it("passes a single stop string as a list, when streaming as well", async () => {
    const response = await post({ stop: "###", stream: true });
    expect(response.status).toBe(200);
    await response.text();
    expect(stopsReceived()).toEqual([["###"], ["###"], ["###"]]);
  });

  it("sends no stop when the request gives none", async () => {
    expect((await post({})).status).toBe(200);
    expect(stopsReceived()).toEqual([undefined, undefined, undefined]);
  });

  it("answers 400 naming stop for more than 4 sequences or an empty one", async () => {
    const many = await post({ stop: ["a", "b", "c", "d", "e"] });
    expect(many.status).toBe(400);
    expect(JSON.stringify(await many.json())).toMatch(/stop.*at most 4 stop sequences/);
    const empty = await post({ stop: "" });
    expect(empty.status).toBe(400);
    expect(JSON.stringify(await empty.json())).toContain("stop");
  });
});
