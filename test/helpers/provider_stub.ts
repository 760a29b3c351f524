import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The wire formats the stub speaks. Groq speaks OpenAI's (under `/openai/v1`). */
export type Provider = "openai" | "anthropic" | "ollama" | "groq";

/** One request the stub received, by provider and model. */
export interface StubRequest {
  provider: Provider;
  path: string;
  model: string;
  body: Record<string, unknown>;
}

/** What a model answers, in neutral form (the stub encodes it in the provider's format). */
export interface StubReply {
  text?: string;
  toolCalls?: Array<{ name: string; args: Record<string, unknown> }>;
  /** Wait before answering (ms), until the client goes away. */
  delayMs?: number;
}

/** Computes a model's reply from the request body. */
export type StubScript = (body: Record<string, unknown>, provider: Provider) => StubReply;

/** A running multi-provider stub on 127.0.0.1. */
export interface ProviderStub {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Every chat request received, in order. */
  requests: StubRequest[];
  /** The requests of one model. */
  requestsOf(model: string): StubRequest[];
  close(): Promise<void>;
}

const PROMPT_TOKENS = 11;

function words(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [];
}

function outputTokens(reply: StubReply): number {
  return words(reply.text ?? "").length + (reply.toolCalls?.length ?? 0) * 5 || 1;
}

function sse(res: ServerResponse, events: Array<{ event?: string; data: unknown }>): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const { event, data } of events) {
    res.write(`${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
  }
  res.end();
}

function json(res: ServerResponse, body: unknown): void {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function openai(res: ServerResponse, model: string, reply: StubReply, stream: boolean, groq: boolean): void {
  const calls = (reply.toolCalls ?? []).map((call, index) => ({
    index,
    id: `call_${index}`,
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.args) },
  }));
  const finish = calls.length > 0 ? "tool_calls" : "stop";
  const usage = {
    prompt_tokens: PROMPT_TOKENS,
    completion_tokens: outputTokens(reply),
    total_tokens: PROMPT_TOKENS + outputTokens(reply),
  };
  const head = { id: "chatcmpl-stub", object: "chat.completion.chunk", created: 1, model };
  if (!stream) {
    json(res, {
      ...head,
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: reply.text ?? null, ...(calls.length ? { tool_calls: calls } : {}) },
          finish_reason: finish,
        },
      ],
      usage,
    });
    return;
  }
  const events: Array<{ data: unknown }> = [
    { data: { ...head, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] } },
  ];
  for (const piece of words(reply.text ?? "")) {
    events.push({ data: { ...head, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] } });
  }
  if (calls.length > 0) {
    events.push({ data: { ...head, choices: [{ index: 0, delta: { tool_calls: calls }, finish_reason: null }] } });
  }
  if (groq) {
    // Groq reports a stream's usage in `x_groq.usage` on its last chunk.
    events.push({ data: { ...head, choices: [{ index: 0, delta: {}, finish_reason: finish }], x_groq: { usage } } });
  } else {
    events.push({ data: { ...head, choices: [{ index: 0, delta: {}, finish_reason: finish }] } });
    events.push({ data: { ...head, choices: [], usage } });
  }
  events.push({ data: "[DONE]" });
  sse(res, events);
}

function anthropic(res: ServerResponse, model: string, reply: StubReply, stream: boolean): void {
  const blocks: Array<Record<string, unknown>> = [];
  if (reply.text) blocks.push({ type: "text", text: reply.text });
  for (const [index, call] of (reply.toolCalls ?? []).entries()) {
    blocks.push({ type: "tool_use", id: `toolu_${index}`, name: call.name, input: call.args });
  }

  const stop = reply.toolCalls?.length ? "tool_use" : "end_turn";
  const message = { id: "msg_stub", type: "message", role: "assistant", model, stop_sequence: null };
  if (!stream) {
    json(res, {
      ...message,
      content: blocks,
      stop_reason: stop,
      usage: { input_tokens: PROMPT_TOKENS, output_tokens: outputTokens(reply) },
    });
    return;
  }
  const events: Array<{ event: string; data: unknown }> = [
    {
      event: "message_start",
      data: {
        type: "message_start",
        message: {
          ...message,
          content: [],
          stop_reason: null,
          usage: { input_tokens: PROMPT_TOKENS, output_tokens: 1 },
        },
      },
    },
  ];
  blocks.forEach((block, index) => {
    if (block.type === "text") {
      events.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { type: "text", text: "" } },
      });
      for (const piece of words(String(block.text))) {
        events.push({
          event: "content_block_delta",
          data: { type: "content_block_delta", index, delta: { type: "text_delta", text: piece } },
        });
      }
    } else {
      events.push({
        event: "content_block_start",
        data: { type: "content_block_start", index, content_block: { ...block, input: {} } },
      });
      events.push({
        event: "content_block_delta",
        data: {
          type: "content_block_delta",
          index,
          delta: { type: "input_json_delta", partial_json: JSON.stringify(block.input) },
        },
      });
    }
    events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  });
  events.push({
    event: "message_delta",
    data: {
      type: "message_delta",
      delta: { stop_reason: stop, stop_sequence: null },
      usage: { output_tokens: outputTokens(reply) },
    },
  });
  events.push({ event: "message_stop", data: { type: "message_stop" } });
  sse(res, events);
}

function ollama(res: ServerResponse, model: string, reply: StubReply, stream: boolean): void {
  const base = { model, created_at: "2026-01-01T00:00:00Z" };
  const calls = (reply.toolCalls ?? []).map((call) => ({ function: { name: call.name, arguments: call.args } }));
  const final = {
    ...base,
    done: true,
    done_reason: "stop",
    prompt_eval_count: PROMPT_TOKENS,
    eval_count: outputTokens(reply),
  };
  if (!stream) {
    json(res, {
      ...final,
      message: { role: "assistant", content: reply.text ?? "", ...(calls.length ? { tool_calls: calls } : {}) },
    });
    return;
  }
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  for (const piece of words(reply.text ?? "")) {
    res.write(`${JSON.stringify({ ...base, message: { role: "assistant", content: piece }, done: false })}\n`);
  }
  if (calls.length) {
    res.write(
      `${JSON.stringify({ ...base, message: { role: "assistant", content: "", tool_calls: calls }, done: false })}\n`,
    );
  }
  res.end(`${JSON.stringify({ ...final, message: { role: "assistant", content: "" } })}\n`);
}

function route(path: string): Provider | undefined {
  if (path === "/v1/chat/completions") return "openai";
  if (path === "/openai/v1/chat/completions") return "groq";
  if (path === "/v1/messages") return "anthropic";
  if (path === "/api/chat") return "ollama";
  return undefined;
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString("utf8") || "{}") as Record<string, unknown>;
}

/**
 * Starts a real HTTP server on 127.0.0.1 (random port) answering chat requests in four providers' wire formats:
 * OpenAI `POST /v1/chat/completions` and Groq `POST /openai/v1/chat/completions` (JSON or SSE), Anthropic
 * `POST /v1/messages` (JSON or SSE events), Ollama `POST /api/chat` (JSON or NDJSON). Replies come from `scripts`
 * by model name; every request is recorded.
 */
export async function startProviderStub(scripts: Record<string, StubScript>): Promise<ProviderStub> {
  const requests: StubRequest[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? "").split("?")[0];
      const provider = route(path);
      if (req.method !== "POST" || !provider) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `no route ${req.method} ${path}` } }));
        return;
      }
      const body = await readBody(req);
      const model = String(body.model);
      requests.push({ provider, path, model, body });
      const script = scripts[model];
      if (!script) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: { message: `unknown model ${model}` } }));
        return;
      }
      const reply = script(body, provider);
      if (reply.delayMs) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, reply.delayMs);
          res.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
        });
        if (res.destroyed) return;
      }
      const stream = provider === "ollama" ? body.stream !== false : body.stream === true;
      if (provider === "anthropic") anthropic(res, model, reply, stream);
      else if (provider === "ollama") ollama(res, model, reply, stream);
      else openai(res, model, reply, stream, provider === "groq");
    })().catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    requestsOf: (model) => requests.filter((request) => request.model === model),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
