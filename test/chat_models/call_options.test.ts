import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { tool } from "@langchain/core/tools";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { PyramidChatModel, PyramidConfigError } from "../../src/index.js";
import { startOpenAITestServer } from "../helpers/openai_server.js";
import type { OpenAITestServer } from "../helpers/openai_server.js";
import { openAIMember, requestsOf } from "../helpers/openai_members.js";

// Point 1 of issue #13: per-call options reach every member call and the apex, merged with the members' own bindings.

let server: OpenAITestServer;

beforeAll(async () => {
  server = await startOpenAITestServer({
    models: {
      "agree-a": () => ({ content: "4" }),
      "agree-b": () => ({ content: "4" }),
      "split-a": () => ({ content: "1" }),
      "split-b": () => ({ content: "2" }),
      "split-c": () => ({ content: "5" }),
      apex: () => ({ content: "The answer is 3" }),
      caller: () => ({ toolCalls: [{ name: "add", arguments: { a: 1, b: 2 } }] }),
    },
  });
});

afterAll(async () => {
  await server.close();
});

const add = tool(async ({ a, b }: { a: number; b: number }) => String(a + b), {
  name: "add",
  description: "Adds two numbers",
  schema: z.object({ a: z.number(), b: z.number() }),
});

function clear(): void {
  server.requests.length = 0;
}

describe("call options flow to every member (ChatOpenAI members on a real OpenAI-protocol server)", () => {
  it("invoke(q, { stop }) sends the stop sequence to every crowd member and to the apex", async () => {
    clear();
    const pyramid = new PyramidChatModel({
      crowd: [openAIMember(server, "split-a"), openAIMember(server, "split-b"), openAIMember(server, "split-c")],
      oracle: openAIMember(server, "apex"),
      task: "math",
    });
    const answer = await pyramid.invoke("1+2?", { stop: ["\n"] });
    expect(answer.content).toBe("The answer is 3");
    for (const model of ["split-a", "split-b", "split-c", "apex"]) {
      expect(requestsOf(server, model).map((body) => body.stop)).toEqual([["\n"]]);
    }
    // ls_stop says what was applied.
    expect(pyramid.getLsParams({ stop: ["\n"] } as never).ls_stop).toEqual(["\n"]);
  });

  it("stream(q, { stop }) sends it to the streamed apex too", async () => {
    clear();
    const pyramid = new PyramidChatModel({
      crowd: [openAIMember(server, "split-a"), openAIMember(server, "split-b"), openAIMember(server, "split-c")],
      oracle: openAIMember(server, "apex"),
      task: "math",
    });
    for await (const _ of await pyramid.stream("1+2?", { stop: ["END"] })) void _;
    const apex = requestsOf(server, "apex");
    expect(apex).toHaveLength(1);
    expect(apex[0].stream).toBe(true);
    expect(apex[0].stop).toEqual(["END"]);
    expect(requestsOf(server, "split-a")[0].stop).toEqual(["END"]);
  });

  it("bindTools(tools).withConfig({ tool_choice }) reaches every member, merged with each member's own binding", async () => {
    clear();
    const pyramid = new PyramidChatModel({
      // The first member carries its own binding (a seed); the call's options are merged with it.
      crowd: [openAIMember(server, "caller").withConfig({ seed: 7 }), openAIMember(server, "caller")],
      oracle: openAIMember(server, "apex"),
    });
    const answer = await pyramid.bindTools([add]).withConfig({ tool_choice: "any" }).invoke("1+2?");
    expect(answer.tool_calls?.[0]).toMatchObject({ name: "add", args: { a: 1, b: 2 } });
    const bodies = requestsOf(server, "caller");
    expect(bodies).toHaveLength(2);
    for (const body of bodies) {
      expect(body.tool_choice).toBe("required");
      expect((body.tools as Array<{ function: { name: string } }>).map((t) => t.function.name)).toEqual(["add"]);
    }
    expect(bodies.map((body) => body.seed ?? null).sort()).toEqual([7, null]);
  });

  it("per-call tools (invoke(q, { tools })) reach every member", async () => {
    clear();
    const pyramid = new PyramidChatModel({
      crowd: [openAIMember(server, "caller"), openAIMember(server, "caller")],
      oracle: openAIMember(server, "apex"),
    });
    const answer = await pyramid.invoke("1+2?", { tools: [add], tool_choice: "add" });
    expect(answer.tool_calls?.[0]?.name).toBe("add");
    for (const body of requestsOf(server, "caller")) {
      expect(body.tool_choice).toEqual({ type: "function", function: { name: "add" } });
    }
  });

  it("an option a member cannot take is an error naming the member and the option, before any call", async () => {
    const crowd = [new FakeListChatModel({ responses: ["4"] }), new FakeListChatModel({ responses: ["4"] })];
    const pyramid = new PyramidChatModel({
      crowd: [
        { name: "fake-a", model: crowd[0] },
        { name: "fake-b", model: crowd[1] },
      ],
      oracle: { name: "fake-apex", model: new FakeListChatModel({ responses: ["5"] }) },
    });
    const call = pyramid.invoke("2+2?", { tool_choice: "any" });
    await expect(call).rejects.toThrow(PyramidConfigError);
    await expect(pyramid.invoke("2+2?", { tool_choice: "any" })).rejects.toThrow(/member "fake-a".*"tool_choice"/);
    expect(crowd.map((model) => model.i)).toEqual([0, 0]);
    // stop is a LangChain call option every chat model takes: it goes through (FakeListChatModel answers with it).
    expect((await pyramid.invoke("2+2?", { stop: ["\n"] })).content).toBe("\n");
  });
});
