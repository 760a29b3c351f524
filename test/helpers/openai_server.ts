import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";

/** A chat completions request body as received (only the fields the server reads are typed). */
export interface ChatCompletionRequest {
  model: string;
  messages: Array<{ role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }>;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  logprobs?: boolean;
  top_logprobs?: number;
  tools?: unknown[];
  temperature?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  stop?: string | string[];
  [key: string]: unknown;
}

/** One request the server received. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body (undefined for GET). */
  body?: ChatCompletionRequest;
}

/** A tool call to put in a reply. */
export interface ScriptedToolCall {
  id?: string;
  name: string;
  /** JSON arguments (an object is serialized). */
  arguments: string | Record<string, unknown>;
}

/** What the server answers to one request. */
export interface ScriptedReply {
  /** Assistant text (default ""). */
  content?: string;
  /** The tokens `content` is split into for streaming and logprobs (default: words with their leading space). */
  tokens?: string[];
  /** Log-probability of each token (default: a fixed pattern in [-1.5, -0.05]). Must match `tokens` in length. */
  logprobs?: number[];
  /** Tool calls (finish_reason becomes "tool_calls"). */
  toolCalls?: ScriptedToolCall[];
  /** finish_reason (default "stop", or "tool_calls" when there are tool calls). */
  finishReason?: "stop" | "length" | "tool_calls" | "content_filter";
  /** Prompt token count to report (default: words in the request messages). */
  promptTokens?: number;
  /** Answer with this HTTP error status and an OpenAI error body instead (`retryAfterMs` sets `retry-after(-ms)`). */
  error?: { status: number; message: string; type?: string; code?: string; retryAfterMs?: number };
  /** Wait this long before answering (ms). When streaming, the wait happens after the headers are sent. */
  delayMs?: number;
  /** Wait this long between streamed chunks (ms). */
  chunkDelayMs?: number;
  /**
   * Streaming only: send the first `holdAfter` tokens, then hold the stream open until the client closes it (the reply
   * never finishes on its own: a member still "thinking" until it is cut, whatever the machine's load).
   */
  holdAfter?: number;
}

/** Computes the reply to a request (`index`: position among all chat requests); it may keep state. */
export type ReplyScript = (request: ChatCompletionRequest, index: number) => ScriptedReply | Promise<ScriptedReply>;

/** Options of `startOpenAITestServer`. */
export interface OpenAITestServerOptions {
  /** Scripts per model name; also listed by `GET /v1/models`. */
  models?: Record<string, ReplyScript>;
  /** Script for models not in `models` (default: a 404 model_not_found error). */
  fallback?: ReplyScript;
  /** When set, requests whose bearer token differs get a 401. */
  requireApiKey?: string;
}

/** A running OpenAI-compatible test server. */
export interface OpenAITestServer {
  /** `http://127.0.0.1:<port>/v1`, the value for a client's baseURL. */
  baseURL: string;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  /** Chat completion requests only. */
  chatRequests(): RecordedRequest[];
  /** Replaces or adds the script of a model. */
  setModel(name: string, script: ReplyScript): void;
  /** Stops the server and drops open connections. */
  close(): Promise<void>;
}

const DEFAULT_LOGPROBS = [-0.05, -0.4, -0.1, -1.5, -0.2, -0.7];

function splitTokens(content: string): string[] {
  return content.match(/\s*\S+|\s+/g) ?? [];
}

function countWords(messages: ChatCompletionRequest["messages"]): number {
  let count = 0;
  for (const message of messages) {
    const text = typeof message.content === "string" ? message.content : JSON.stringify(message.content ?? "");
    count += splitTokens(text).length + 3;
  }
  return count;
}

function bytesOf(text: string): number[] {
  return Array.from(Buffer.from(text, "utf8"));
}

function logprobEntry(token: string, logprob: number, top: number, position: number): Record<string, unknown> {
  const alternatives = [{ token, logprob, bytes: bytesOf(token) }];
  for (let i = 1; i < top; i++) {
    const alt = `${token.trim() || "_"}~${i}`;
    alternatives.push({ token: alt, logprob: logprob - i - (position % 3) * 0.25, bytes: bytesOf(alt) });
  }
  return { token, logprob, bytes: bytesOf(token), top_logprobs: top > 0 ? alternatives : [] };
}

function sleep(ms: number, response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    response.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function closed(response: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    if (response.destroyed) resolve();
    else response.once("close", () => resolve());
  });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

function errorBody(message: string, type: string, code: string | null): unknown {
  return { error: { message, type, param: null, code } };
}

/**
 * Starts a real HTTP server on 127.0.0.1 (random port) speaking the OpenAI chat completions protocol:
 * `POST /v1/chat/completions` (JSON or SSE streaming, `logprobs`/`top_logprobs`, `usage`, tool calls,
 * scripted errors and delays) and `GET /v1/models`. Every request is recorded.
 */
export async function startOpenAITestServer(options: OpenAITestServerOptions = {}): Promise<OpenAITestServer> {
  const models = new Map<string, ReplyScript>(Object.entries(options.models ?? {}));
  const requests: RecordedRequest[] = [];
  let chatCount = 0;
  let created = 1_700_000_000;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const path = (request.url ?? "/").split("?")[0]!;
    const method = request.method ?? "GET";
    const record: RecordedRequest = { method, path, headers: request.headers };
    requests.push(record);
    if (options.requireApiKey !== undefined && request.headers.authorization !== `Bearer ${options.requireApiKey}`) {
      sendJson(response, 401, errorBody("Invalid API key.", "invalid_request_error", "invalid_api_key"));
      return;
    }
    if (method === "GET" && path === "/v1/models") {
      sendJson(response, 200, {
        object: "list",
        data: [...models.keys()].map((id) => ({ id, object: "model", created, owned_by: "test" })),
      });
      return;
    }
    if (method !== "POST" || path !== "/v1/chat/completions") {
      sendJson(response, 404, errorBody(`Unknown route ${method} ${path}`, "invalid_request_error", "not_found"));
      return;
    }
    let body: ChatCompletionRequest;
    try {
      body = JSON.parse(await readBody(request)) as ChatCompletionRequest;
    } catch {
      sendJson(response, 400, errorBody("Request body is not JSON.", "invalid_request_error", null));
      return;
    }
    record.body = body;
    const script = models.get(body.model) ?? options.fallback;
    if (script === undefined) {
      sendJson(
        response,
        404,
        errorBody(`The model '${body.model}' does not exist`, "invalid_request_error", "model_not_found"),
      );
      return;
    }
    const reply = await script(body, chatCount++);
    if (reply.error !== undefined) {
      if (reply.delayMs) await sleep(reply.delayMs, response);
      const retryAfter = reply.error.retryAfterMs;
      const headers: Record<string, string> =
        retryAfter !== undefined
          ? { "retry-after-ms": String(retryAfter), "retry-after": String(retryAfter / 1000) }
          : {};
      sendJson(
        response,
        reply.error.status,
        errorBody(reply.error.message, reply.error.type ?? "server_error", reply.error.code ?? null),
        headers,
      );
      return;
    }
    const content = reply.content ?? "";
    const tokens = reply.tokens ?? splitTokens(content);
    const logprobs = reply.logprobs ?? tokens.map((_, i) => DEFAULT_LOGPROBS[i % DEFAULT_LOGPROBS.length]!);
    if (logprobs.length !== tokens.length) throw new Error("openai_server: logprobs and tokens differ in length");
    const toolCalls = (reply.toolCalls ?? []).map((call, i) => ({
      id: call.id ?? `call_${chatCount}_${i}`,
      type: "function" as const,
      function: {
        name: call.name,
        arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
      },
    }));
    const finishReason = reply.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
    const top = body.logprobs === true ? Math.max(0, Math.min(20, body.top_logprobs ?? 0)) : 0;
    const entries = body.logprobs === true ? tokens.map((t, i) => logprobEntry(t, logprobs[i]!, top, i)) : undefined;
    const usage = {
      prompt_tokens: reply.promptTokens ?? countWords(body.messages),
      completion_tokens: tokens.length + toolCalls.length,
      total_tokens: 0,
    };
    usage.total_tokens = usage.prompt_tokens + usage.completion_tokens;
    const id = `chatcmpl-test-${chatCount}`;
    created++;

    if (body.stream !== true) {
      if (reply.delayMs) await sleep(reply.delayMs, response);
      if (response.destroyed) return;
      sendJson(response, 200, {
        id,
        object: "chat.completion",
        created,
        model: body.model,
        system_fingerprint: "fp_test",
        choices: [
          {
            index: 0,
            message: {
              role: "assistant",
              content: toolCalls.length > 0 && content.length === 0 ? null : content,
              ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
            },
            logprobs: entries === undefined ? null : { content: entries, refusal: null },
            finish_reason: finishReason,
          },
        ],
        usage,
      });
      return;
    }

    response.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    response.flushHeaders();
    if (reply.delayMs) await sleep(reply.delayMs, response);
    const send = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
      if (response.destroyed) return;
      response.write(
        `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model: body.model, system_fingerprint: "fp_test", choices, ...extra })}\n\n`,
      );
    };
    send([{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }]);
    const streamed = Math.min(tokens.length, reply.holdAfter ?? tokens.length);
    for (let i = 0; i < streamed; i++) {
      if (reply.chunkDelayMs) await sleep(reply.chunkDelayMs, response);
      send([
        {
          index: 0,
          delta: { content: tokens[i] },
          logprobs: entries === undefined ? null : { content: [entries[i]], refusal: null },
          finish_reason: null,
        },
      ]);
    }
    if (reply.holdAfter !== undefined) {
      await closed(response);
      return;
    }
    toolCalls.forEach((call, index) => {
      send([
        {
          index: 0,
          delta: {
            tool_calls: [
              { index, id: call.id, type: "function", function: { name: call.function.name, arguments: "" } },
            ],
          },
          logprobs: null,
          finish_reason: null,
        },
      ]);
      send([
        {
          index: 0,
          delta: { tool_calls: [{ index, function: { arguments: call.function.arguments } }] },
          logprobs: null,
          finish_reason: null,
        },
      ]);
    });
    send([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]);
    if (body.stream_options?.include_usage === true) send([], { usage });
    if (!response.destroyed) response.end("data: [DONE]\n\n");
  };

  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendJson(response, 500, errorBody(String(error), "server_error", null));
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    requests,
    chatRequests: () => requests.filter((r) => r.path === "/v1/chat/completions"),
    setModel: (name, script) => {
      models.set(name, script);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
