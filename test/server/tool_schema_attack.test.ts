import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PyramidChatModel } from "../../src/index.js";
import {
  createPyramidServer,
  DEFAULT_MAX_TOOL_SCHEMA_BYTES,
  DEFAULT_MAX_TOOL_SCHEMA_DEPTH,
} from "../../src/server/index.js";
import type { PyramidServer } from "../../src/server/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { openAIMember } from "../helpers/openai_members.js";

let upstream: OpenAITestServer;
const servers: PyramidServer[] = [];

beforeAll(async () => {
  upstream = await startOpenAITestServer({ fallback: () => ({ content: "The answer is 4." }) });
});
afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await upstream?.close();
});

async function serve(limits: { maxToolSchemaDepth?: number; maxToolSchemaBytes?: number } = {}): Promise<string> {
  const model = new PyramidChatModel({
    crowd: ["a", "b", "c"].map((name) => openAIMember(upstream, name)),
    oracle: openAIMember(upstream, "big-70b"),
    task: "math",
  });
  const server = createPyramidServer({ model, metrics: false, log: () => undefined, ...limits });
  servers.push(server);
  return (await server.listen(0, "127.0.0.1")).url;
}

/** Posts a completion whose only tool has `parameters` given as raw JSON text. */
async function postWithParameters(url: string, parameters: string) {
  const body = `{"model":"m","messages":[{"role":"user","content":"What is 2 + 2?"}],"tools":[{"type":"function","function":{"name":"lookup","parameters":${parameters}}}]}`;
  const reply = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
  });
  return {
    status: reply.status,
    json: (await reply.json()) as { error?: { message: string; param: string; code: string } },
  };
}

function nested(depth: number): string {
  return `${'{"type":"object","properties":{"x":'.repeat(depth)}{"type":"string"}${"}}".repeat(depth)}`;
}

describe("tool schemas are refused past their depth and size limits", () => {
  it("refuses a schema nested 5,000 deep and a huge one with 400 naming the limit, before any member is called", async () => {
    const url = await serve();
    const deep = await postWithParameters(url, nested(5_000));
    expect(deep.status).toBe(400);
    expect(deep.json.error?.code).toBe("tool_schema_too_deep");
    expect(deep.json.error?.param).toBe("tools[0].function.parameters");
    expect(deep.json.error?.message).toContain(`limit of ${DEFAULT_MAX_TOOL_SCHEMA_DEPTH} levels`);

    const properties = Object.fromEntries(
      Array.from({ length: 900 }, (_, i) => [`field_${i}`, { type: "string", description: "d".repeat(1000) }]),
    );
    const huge = await postWithParameters(url, JSON.stringify({ type: "object", properties }));
    expect(huge.status).toBe(400);
    expect(huge.json.error?.code).toBe("tool_schema_too_large");
    expect(huge.json.error?.message).toContain(`limit of ${DEFAULT_MAX_TOOL_SCHEMA_BYTES} bytes`);
    expect(upstream.chatRequests()).toHaveLength(0);
  });

  it("takes configured limits, and answers a schema within them", async () => {
    const url = await serve({ maxToolSchemaDepth: 6, maxToolSchemaBytes: 2_000 });
    const tooDeep = await postWithParameters(url, nested(3));
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.json.error?.message).toContain("limit of 6 levels");
    const tooLarge = await postWithParameters(url, JSON.stringify({ type: "object", description: "d".repeat(3_000) }));
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.json.error?.message).toContain("limit of 2000 bytes");
    expect(upstream.chatRequests()).toHaveLength(0);
    const fine = await postWithParameters(url, nested(2));
    expect(fine.status).toBe(200);
    expect(upstream.chatRequests().length).toBeGreaterThan(0);
  });
});
