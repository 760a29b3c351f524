import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InMemoryCache } from "@langchain/core/caches";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { PyramidChatModel, loadRouter } from "../../src/index.js";

// Point 2 of issue #13: the LLM-cache key identifies the whole pyramid configuration.

const f = (reply: string) => new FakeListChatModel({ responses: [reply] });
const key = (model: { _getSerializedCacheKeyParametersForCall(options: never): string }) =>
  model._getSerializedCacheKeyParametersForCall({} as never);

const ROUTER = fileURLToPath(new URL("../../routers/gsm8k-llama8b-gemma9b-qwen7b.json", import.meta.url));
const CROWD = ["Meta-Llama-3.1-8B-Instruct", "gemma-2-9b-it", "Qwen2-7B-Instruct"];

describe("LLM cache key of a pyramid", () => {
  it("two pyramids with different members never return each other's cached answers (the issue's snippet)", async () => {
    const p1 = new PyramidChatModel({ crowd: [f("4")], oracle: f("4"), cache: true });
    const p2 = new PyramidChatModel({ crowd: [f("5")], oracle: f("5"), cache: true });
    expect((await p1.invoke("2+2?")).content).toBe("4");
    expect((await p2.invoke("2+2?")).content).toBe("5");
  });

  it("a hit with LangChain's InMemoryCache returns the cached answer without calling the members", async () => {
    const cache = new InMemoryCache();
    const crowd = [f("7"), f("7")];
    const pyramid = new PyramidChatModel({ crowd, oracle: f("8"), cache });
    expect((await pyramid.invoke("3+4?")).content).toBe("7");
    const calls = crowd.map((model) => model.i);
    expect((await pyramid.invoke("3+4?")).content).toBe("7");
    expect(crowd.map((model) => model.i)).toEqual(calls);
  });

  it("differs for different bound tools, thresholds, tasks, modes, routers and member settings", () => {
    const add = tool(async () => "", { name: "add", description: "Adds", schema: z.object({ a: z.number() }) });
    const mul = tool(async () => "", { name: "mul", description: "Multiplies", schema: z.object({ a: z.number() }) });
    const base = () => ({ crowd: [f("4"), f("4")], oracle: f("4") });
    const keys = [
      key(new PyramidChatModel(base())),
      key(new PyramidChatModel({ ...base(), policy: { threshold: 0.3 } })),
      key(new PyramidChatModel({ ...base(), task: "math" })),
      key(new PyramidChatModel({ ...base(), mode: "generative" })),
      key(new PyramidChatModel({ ...base(), crowd: [f("4"), new FakeListChatModel({ responses: ["4"], sleep: 5 })] })),
      key(new PyramidChatModel({ ...base(), crowd: [f("4"), f("4"), f("4")] })),
      key(new PyramidChatModel(base()).bindTools([add]) as unknown as PyramidChatModel),
      key(new PyramidChatModel(base()).bindTools([mul]) as unknown as PyramidChatModel),
      key(
        new PyramidChatModel({
          crowd: CROWD.map((name) => ({ name, model: f("4") })),
          oracle: f("4"),
          router: loadRouter(ROUTER),
          policy: { threshold: 0.5 },
        }),
      ),
      key(
        new PyramidChatModel({
          crowd: CROWD.map((name) => ({ name, model: f("4") })),
          oracle: f("4"),
          policy: { threshold: 0.5 },
        }),
      ),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    // Same configuration, new objects: same key.
    expect(key(new PyramidChatModel(base()))).toBe(keys[0]);
  });

  it("never contains a member's API key", async () => {
    const { ChatOpenAI } = await import("@langchain/openai");
    const member = new ChatOpenAI({ model: "gpt-4o-mini", apiKey: "sk-secret-cache-key-1234" });
    const pyramid = new PyramidChatModel({ crowd: [member, member], oracle: member });
    expect(key(pyramid)).not.toContain("sk-secret-cache-key-1234");
    expect(key(pyramid)).toContain("gpt-4o-mini");
  });

  it("is the same in another process for the same configuration", () => {
    const script = `
      import { FakeListChatModel } from "@langchain/core/utils/testing";
      import { PyramidChatModel, loadRouter } from "./src/index.ts";
      const f = (r) => new FakeListChatModel({ responses: [r] });
      const names = ${JSON.stringify(CROWD)};
      const p = new PyramidChatModel({ crowd: names.map((name) => ({ name, model: f("4") })), oracle: f("5"),
        router: loadRouter(${JSON.stringify(ROUTER)}), policy: "balanced", task: "math" });
      process.stdout.write(p._getSerializedCacheKeyParametersForCall({}));
    `;
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const other = execFileSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: root,
      encoding: "utf8",
    });
    const here = new PyramidChatModel({
      crowd: CROWD.map((name) => ({ name, model: f("4") })),
      oracle: f("5"),
      router: loadRouter(ROUTER),
      policy: "balanced",
      task: "math",
    });
    expect(other).toBe(key(here));
  });
});
