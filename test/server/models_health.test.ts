import OpenAI from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { PyramidChatModel } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import type { PyramidServer } from "../../src/server/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";

const running: PyramidServer[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

async function start(delayMs = 0) {
  const crowd = ["a-7b", "b-7b", "c-7b"].map((name) => new ScriptedChatModel({ name, reply: "18", delayMs }));
  const model = new PyramidChatModel({
    crowd,
    oracle: new ScriptedChatModel({ name: "big-70b", reply: "18" }),
    task: "math",
  });
  const server = createPyramidServer({ model, modelId: "my/pyramid" });
  running.push(server);
  const { url } = await server.listen(0, "127.0.0.1");
  return { url, client: new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0 }) };
}

describe("GET /v1/models/{id}", () => {
  it("answers the openai client's models.retrieve for the served id (slashes included), 404 for any other", async () => {
    const { client, url } = await start();
    const model = await client.models.retrieve("my/pyramid");
    expect(model).toMatchObject({ id: "my/pyramid", object: "model", owned_by: "pyramid-moa" });
    expect((await fetch(`${url}/v1/models/my%2Fpyramid`)).status).toBe(200);
    await expect(client.models.retrieve("gpt-4o")).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const bad = await fetch(`${url}/v1/models/%E0%A4%A`);
    expect(bad.status).toBe(404);
    expect((await fetch(`${url}/v1/models/my/pyramid`, { method: "POST" })).status).toBe(405);
  });
});

describe("GET /health", () => {
  it("does not count itself in inFlight, and counts the requests being answered", async () => {
    const { client, url } = await start(3000);
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: "ok", inFlight: 0 });
    const pending = client.chat.completions.create({ model: "my/pyramid", messages: [{ role: "user", content: "x" }] });
    // Poll until the chat request is being answered (its members take 3 s): /health then reports it, not itself.
    let seen: unknown;
    for (let i = 0; i < 25; i++) {
      seen = ((await (await fetch(`${url}/health`)).json()) as { inFlight: number }).inFlight;
      if (seen === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toBe(1);
    await pending;
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ inFlight: 0 });
  });
});
