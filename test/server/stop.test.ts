import { describe, expect, it } from "vitest";
import { requestsOf } from "../helpers/openai_members.js";
import { postChat, pyramidOverUpstream } from "./pyramid_over_upstream.js";

// `stop` of a chat completions request reaches every member call, the apex's included, through a real HTTP server
// in front of the pyramid and a real OpenAI-compatible server behind it.

const running = pyramidOverUpstream({
  models: {
    "crowd-a": () => ({ content: "1" }),
    "crowd-b": () => ({ content: "2" }),
    apex: () => ({ content: "The answer is 3" }),
  },
  crowd: ["crowd-a", "crowd-b"],
  oracle: "apex",
  options: {
    task: "math",
    policy: { threshold: 0 },
    prices: { "crowd-a": { input: 0, output: 0 }, "crowd-b": { input: 0, output: 0 }, apex: { input: 0, output: 0 } },
  },
});
const post = (body: Record<string, unknown>): Promise<Response> => postChat(running.url, "1 + 2?", body);

function stopsReceived(): unknown[] {
  return ["crowd-a", "crowd-b", "apex"].map((name) => requestsOf(running.upstream, name).at(-1)?.stop);
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
