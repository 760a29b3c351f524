import { afterEach, describe, expect, it } from "vitest";
import OpenAI from "openai";
import { AIMessage, ToolMessage } from "@langchain/core/messages";
import type { BaseMessage } from "@langchain/core/messages";
import { PyramidChatModel } from "../../src/index.js";
import type { PyramidMetadata } from "../../src/index.js";
import { createPyramidServer } from "../../src/server/index.js";
import type { PyramidServer, PyramidServerOptions } from "../../src/server/index.js";
import { ScriptedChatModel } from "../helpers/scripted_model.js";
import type { ScriptedReply } from "../helpers/scripted_model.js";

type WithPyramid = { pyramid?: PyramidMetadata };

const running: PyramidServer[] = [];

async function start(model: PyramidChatModel, options: Omit<PyramidServerOptions, "model"> = {}) {
  const server = createPyramidServer({ model, ...options });
  running.push(server);
  const { url } = await server.listen(0, "127.0.0.1");
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: options.token ?? "unused", maxRetries: 0 });
  return { server, url, client };
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((server) => server.close()));
});

function pyramidOf(
  crowdReplies: ScriptedReply[],
  oracleReply: ScriptedReply,
  extra: { delayMs?: number; calls?: BaseMessage[][] } = {},
) {
  const crowd = crowdReplies.map((reply, i) => new ScriptedChatModel({ name: `small-${i}`, reply, ...extra }));
  const oracle = new ScriptedChatModel({ name: "big-70b", reply: oracleReply, ...extra });
  return { model: new PyramidChatModel({ crowd, oracle, task: "math" }), crowd, oracle };
}

describe("pyramid server: chat completions with the official openai client", () => {
  it("answers from an agreeing crowd, with usage and the routing trace in `pyramid`", async () => {
    const { model, oracle } = pyramidOf(["The answer is 18.", "So 18.", "18"], "It is 42.");
    const { client } = await start(model);
    const completion = await client.chat.completions.create({
      model: "pyramid-moa",
      messages: [
        { role: "system", content: "Answer briefly." },
        { role: "user", content: "Janet's ducks?" },
      ],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("pyramid-moa");
    expect(completion.choices[0].message.content).toBe("The answer is 18.");
    expect(completion.choices[0].finish_reason).toBe("stop");
    expect(oracle.calls).toHaveLength(0);
    // Every scripted call reports 10 input tokens and one output token per character.
    expect(completion.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 17 + 6 + 2, total_tokens: 55 });
    const pyramid = (completion as unknown as WithPyramid).pyramid!;
    expect(pyramid.tier).toBe(0);
    expect(pyramid.escalated).toBe(false);
    expect(pyramid.pFail).toBe(0);
    expect(pyramid.threshold).toBe(0.5);
    expect(pyramid.candidates.map((c) => c.answer)).toEqual(["18", "18", "18"]);
    expect(pyramid.cost.oracleOnlyEstimated).toBe(true);
  });

  it("escalates a split crowd and reports the Oracle's answer", async () => {
    const { model, oracle } = pyramidOf(["5", "6", "7"], "It is 7.");
    const { client } = await start(model);
    const completion = await client.chat.completions.create({
      model: "anything",
      messages: [{ role: "user", content: "?" }],
    });
    expect(completion.choices[0].message.content).toBe("It is 7.");
    expect(oracle.calls).toHaveLength(1);
    const pyramid = (completion as unknown as WithPyramid).pyramid!;
    expect(pyramid.escalated).toBe(true);
    expect(pyramid.tierName).toBe("oracle");
    expect(pyramid.decisions[0].pFail).toBeCloseTo(2 / 3, 10);
  });

  it("streams in OpenAI's chunk format, the trace on the finish chunk and usage last", async () => {
    const { model } = pyramidOf(["The answer is 18 after counting all the eggs.", "18", "18"], "42");
    const { client } = await start(model);
    const stream = await client.chat.completions.create({
      model: "pyramid-moa",
      messages: [{ role: "user", content: "Janet's ducks?" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const part of stream) chunks.push(part);
    expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("The answer is 18 after counting all the eggs.");
    expect(chunks.filter((c) => (c.choices[0]?.delta.content ?? "").length > 0).length).toBeGreaterThan(1);
    const finish = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finish?.choices[0].finish_reason).toBe("stop");
    expect((finish as unknown as WithPyramid).pyramid?.escalated).toBe(false);
    const last = chunks[chunks.length - 1];
    expect(last.choices).toEqual([]);
    expect(last.usage?.prompt_tokens).toBe(30);
  });

  it("streams an escalated answer token by token from the Oracle", async () => {
    const { model } = pyramidOf(["1", "2", "3"], "The Oracle says 6 for sure.");
    const { client } = await start(model);
    const stream = await client.chat.completions.create({
      model: "m",
      messages: [{ role: "user", content: "?" }],
      stream: true,
    });
    let text = "";
    let pyramid: PyramidMetadata | undefined;
    for await (const part of stream) {
      text += part.choices[0]?.delta.content ?? "";
      pyramid ??= (part as unknown as WithPyramid).pyramid;
    }
    expect(text).toBe("The Oracle says 6 for sure.");
    expect(pyramid?.tierName).toBe("oracle");
  });

  it("binds tools to every member and returns the voted tool call (plain and streamed)", async () => {
    const seenTools: string[][] = [];
    const reply = (messages: BaseMessage[], tools: unknown[]) => {
      seenTools.push(tools.map((t) => (t as { function: { name: string } }).function.name));
      const last = messages[messages.length - 1];
      if (last instanceof ToolMessage) return `The sum is ${String(last.content)}.`;
      return new AIMessage({
        content: "",
        tool_calls: [{ id: "call_1", name: "add", args: { a: 2, b: 3 }, type: "tool_call" }],
      });
    };
    const crowd = [0, 1, 2].map((i) => new ScriptedChatModel({ name: `small-${i}`, reply }));
    const model = new PyramidChatModel({ crowd, oracle: new ScriptedChatModel({ name: "big", reply }) });
    const { client } = await start(model);
    const tools: OpenAI.Chat.Completions.ChatCompletionTool[] = [
      {
        type: "function",
        function: {
          name: "add",
          description: "Adds two numbers",
          parameters: {
            type: "object",
            properties: { a: { type: "number" }, b: { type: "number" } },
            required: ["a", "b"],
          },
        },
      },
    ];
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: "user", content: "What is 2 + 3?" },
    ];
    const completion = await client.chat.completions.create({
      model: "pyramid-moa",
      messages,
      tools,
      tool_choice: "auto",
    });
    const choice = completion.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    const call = choice.message.tool_calls![0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe("add");
    expect(JSON.parse(call.function.arguments)).toEqual({ a: 2, b: 3 });
    expect(seenTools.slice(0, 3)).toEqual([["add"], ["add"], ["add"]]);
    expect((completion as unknown as WithPyramid).pyramid?.escalated).toBe(false);

    const stream = await client.chat.completions.create({ model: "pyramid-moa", messages, tools, stream: true });
    const streamed: { id?: string; name?: string; args: string } = { args: "" };
    let finish: string | null | undefined;
    for await (const part of stream) {
      for (const delta of part.choices[0]?.delta.tool_calls ?? []) {
        streamed.id ??= delta.id;
        streamed.name ??= delta.function?.name;
        streamed.args += delta.function?.arguments ?? "";
      }
      finish ??= part.choices[0]?.finish_reason;
    }
    expect(streamed.name).toBe("add");
    expect(streamed.id).toBeTruthy();
    expect(JSON.parse(streamed.args)).toEqual({ a: 2, b: 3 });
    expect(finish).toBe("tool_calls");

    // The tool result goes back as a `tool` message; members answer from it.
    const followUp = await client.chat.completions.create({
      model: "pyramid-moa",
      tools,
      messages: [...messages, choice.message, { role: "tool", tool_call_id: call.id, content: "5" }],
    });
    expect(followUp.choices[0].message.content).toBe("The sum is 5.");
  });

  it("lists the model and answers /health", async () => {
    const { model } = pyramidOf(["1", "1", "1"], "1");
    const { client, url } = await start(model, { modelId: "my-pyramid" });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(["my-pyramid"]);
    const health = await fetch(`${url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", model: "my-pyramid" });
  });

  it("adds the `headers` option to every response, errors included, and rejects a malformed header", async () => {
    const { model } = pyramidOf(["1", "1", "1"], "1");
    const { url } = await start(model, { headers: { "x-pyramid-worker": "1234" } });
    const health = await fetch(`${url}/health`);
    expect(health.headers.get("x-pyramid-worker")).toBe("1234");
    const missing = await fetch(`${url}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-pyramid-worker")).toBe("1234");
    expect(() => createPyramidServer({ model, headers: { "bad header": "x" } })).toThrow(
      /createPyramidServer\.headers\.bad header: is not a valid HTTP header name/,
    );
    expect(() => createPyramidServer({ model, headers: { "x-ok": "a\r\nset-cookie: b" } })).toThrow(
      /createPyramidServer\.headers\.x-ok: must not contain line breaks/,
    );
  });
});

describe("pyramid server: errors in OpenAI's shape", () => {
  async function post(url: string, body: string, headers: Record<string, string> = {}) {
    const response = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      body,
      headers: { "content-type": "application/json", ...headers },
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        error: { message: string; type: string; param: string | null; code: string | null };
      },
    };
  }

  it("rejects bad requests with 400 naming the field", async () => {
    const { model, crowd } = pyramidOf(["1", "1", "1"], "1");
    const { client, url } = await start(model);
    const missing = await client.chat.completions.create({ model: "m" } as never).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
    expect((missing as InstanceType<typeof OpenAI.BadRequestError>).status).toBe(400);
    expect((missing as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("messages");

    const badRole = await client.chat.completions
      .create({ model: "m", messages: [{ role: "wizard", content: "hi" }] } as never)
      .catch((e: unknown) => e);
    expect(badRole).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badRole as InstanceType<typeof OpenAI.BadRequestError>).param).toBe("messages[0].role");
    expect((badRole as Error).message).toContain('"system", "developer", "user", "assistant", "tool"');

    const image = await post(
      url,
      JSON.stringify({
        model: "m",
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "x" } }] }],
      }),
    );
    expect(image.status).toBe(400);
    expect(image.body.error.param).toBe("messages[0].content[0]");
    expect(image.body.error.message).toContain("only text content parts");

    const json = await post(url, "{ not json");
    expect(json).toMatchObject({
      status: 400,
      body: { error: { type: "invalid_request_error", code: "invalid_json" } },
    });

    const n = await post(url, JSON.stringify({ model: "m", n: 2, messages: [{ role: "user", content: "hi" }] }));
    expect(n.status).toBe(400);
    expect(n.body.error.message).toContain("only n = 1");

    const choice = await post(
      url,
      JSON.stringify({
        model: "m",
        messages: [{ role: "user", content: "hi" }],
        tools: [{ type: "function", function: { name: "add" } }],
        tool_choice: { type: "function", function: { name: "mul" } },
      }),
    );
    expect(choice).toMatchObject({ status: 400, body: { error: { param: "tool_choice" } } });

    const args = await post(
      url,
      JSON.stringify({
        model: "m",
        messages: [
          {
            role: "assistant",
            content: null,
            tool_calls: [{ id: "c", type: "function", function: { name: "add", arguments: "{oops" } }],
          },
        ],
      }),
    );
    expect(args).toMatchObject({
      status: 400,
      body: { error: { param: "messages[0].tool_calls[0].function.arguments" } },
    });

    expect((await fetch(`${url}/v1/chat/completions`)).status).toBe(405);
    expect((await fetch(`${url}/v1/nothing`)).status).toBe(404);
    expect(crowd[0].calls).toHaveLength(0);
  });

  it("requires the bearer token when one is set (401), but not for /health", async () => {
    const { model } = pyramidOf(["1", "1", "1"], "1");
    const { client, url } = await start(model, { token: "s3cret-token" });
    const ok = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
    expect(ok.choices[0].message.content).toBe("1");
    const wrong = new OpenAI({ baseURL: `${url}/v1`, apiKey: "s3cret-tokeX", maxRetries: 0 });
    const error = await wrong.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((error as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe("invalid_api_key");
    const missing = await post(url, JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] }));
    expect(missing.status).toBe(401);
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });

  it("refuses an oversized body with 413 and keeps serving", async () => {
    const { model, crowd } = pyramidOf(["1", "1", "1"], "1");
    const { client, url } = await start(model, { maxBodyBytes: 4096 });
    const error = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "x".repeat(20_000) }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("request_too_large");
    expect(crowd[0].calls).toHaveLength(0);
    const chunked = await fetch(`${url}/v1/chat/completions`, {
      method: "POST",
      body: new Blob(["y".repeat(50_000)]).stream(),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const ok = await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "small" }] });
    expect(ok.choices[0].message.content).toBe("1");
  });

  it("maps a pyramid failure to a 502 in OpenAI's shape, the details in the server's log only", async () => {
    const secretPath = "/home/alice/models/llama-70b.gguf";
    const { model } = pyramidOf(
      [new Error("boom"), new Error("boom"), new Error("boom")],
      new Error(`cannot open ${secretPath}`),
    );
    const logged: string[] = [];
    const { client } = await start(model, { errorLog: (line) => logged.push(line) });
    const prompt = "my private question about Acme's merger";
    const error = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: prompt }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(502);
    expect(apiError.code).toBe("model_call_failed");
    expect(apiError.message).toBe("502 the models could not answer this request");
    expect(JSON.stringify(apiError.error)).not.toContain(secretPath);
    expect(JSON.stringify(apiError.error)).not.toContain("Acme");
    const requestId = apiError.headers?.get("x-request-id");
    expect(requestId).toMatch(/^req_[0-9a-f]{32}$/);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(`request ${requestId}: 502 `);
    expect(logged[0]).toContain(secretPath);
  });

  it("answers 402 (insufficient_quota) when the budget refuses an escalation and onBudgetExceeded is throw", async () => {
    const crowd = ["1", "2", "3"].map((reply, i) => new ScriptedChatModel({ name: `small-${i}`, reply }));
    const oracle = new ScriptedChatModel({ name: "big-70b", reply: "4" });
    const prices = { "big-70b": { input: 10, output: 10 } };
    const model = new PyramidChatModel({
      crowd,
      oracle,
      task: "math",
      prices,
      maxCostPerQuery: 1e-9,
      onBudgetExceeded: "throw",
    });
    const { client } = await start(model);
    const error = await client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(402);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe("budget_exceeded");
    expect(oracle.calls).toHaveLength(0);
  });
});

describe("pyramid server: client disconnects", () => {
  it("aborts the members' calls when the client goes away", async () => {
    const { model, crowd } = pyramidOf(["1", "1", "1"], "1", { delayMs: 5_000 });
    const { client, server } = await start(model);
    const controller = new AbortController();
    const request = client.chat.completions
      .create({ model: "m", messages: [{ role: "user", content: "slow" }] }, { signal: controller.signal })
      .catch((e: unknown) => e);
    while (server.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect(await request).toBeInstanceOf(OpenAI.APIUserAbortError);
    while (crowd.some((member) => member.aborted === 0)) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(crowd.map((member) => member.aborted)).toEqual([1, 1, 1]);
  });
});

describe("pyramid server: graceful shutdown", () => {
  it("stops accepting, finishes the request in flight, then closes", async () => {
    const events: string[] = [];
    const reply = (answer: string) => () => {
      events.push(`answered ${answer}`);
      return answer;
    };
    const crowd = [0, 1, 2].map((i) => new ScriptedChatModel({ name: `small-${i}`, reply: reply("7"), delayMs: 400 }));
    const model = new PyramidChatModel({
      crowd,
      oracle: new ScriptedChatModel({ name: "big", reply: reply("8") }),
      task: "math",
    });
    const server = createPyramidServer({ model });
    const { url } = await server.listen(0);
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: "x", maxRetries: 0 });
    const inFlight = client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "slow" }] });
    while (server.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const closed = server.close().then(() => events.push(`server closed, ${server.inFlight} in flight`));
    const refused = await fetch(`${url}/health`).then(
      (response) => response.status,
      () => "refused",
    );
    expect(refused === "refused" || refused === 503).toBe(true);
    const completion = await inFlight;
    await closed;
    expect(completion.choices[0].message.content).toBe("7");
    expect(events).toEqual(["answered 7", "answered 7", "answered 7", "server closed, 0 in flight"]);
    expect(server.server.listening).toBe(false);
  });
});
