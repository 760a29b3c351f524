import { contentText } from "../cost/usage.js";
import { randomUUID } from "node:crypto";
import type { ServerResponse } from "node:http";
import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { BindToolsInput } from "@langchain/core/language_models/chat_models";
import type { AIMessageChunk, BaseMessage } from "@langchain/core/messages";
import type { Runnable, RunnableConfig } from "@langchain/core/runnables";
import type { PyramidChatModel } from "../chat_models/index.js";
import type { PyramidMetadata } from "../graph/result.js";
import { type HttpError, toHttpError } from "./errors.js";
import { chunk, completionId, nowSeconds, toChatCompletion, toToolCallDeltas, toUsage, usageChunk } from "./format.js";
import type { ChunkHeader } from "./format.js";
import type { ChatCompletionRequest } from "./schema.js";
import { structuredRunnableFor } from "./response_format.js";
import type { ClientView } from "./client_view.js";
import { StreamRedactor } from "../security/stream_redactor.js";

/** The pyramid, or its `bindTools` copy, as the runnable that answers one request. */
export type ChatRunnable = Runnable<BaseLanguageModelInput, AIMessageChunk>;

/** Sends `body` as JSON with `status`. */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** Sends an error in OpenAI's JSON shape (or ends a response already started). */
export function sendError(res: ServerResponse, error: HttpError, closing: boolean): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  sendJson(res, error.status, error.body(), { ...error.headers, ...(closing ? { connection: "close" } : {}) });
}

/** The request's stop sequences as a list (`undefined` when it gives none). */
function stopSequences(request: ChatCompletionRequest): string[] | undefined {
  return request.stop && request.stop.length > 0 ? request.stop : undefined;
}

/**
 * The pyramid with the request's tools bound and its `stop` sequences set as a call option (so every member call,
 * the apex's included, gets them), or the pyramid itself when the request gives neither; with a JSON
 * `response_format`, the pyramid's structured output (see `structuredRunnableFor`).
 */
export function runnableFor(model: PyramidChatModel, request: ChatCompletionRequest): ChatRunnable {
  const structured = structuredRunnableFor(model, request);
  if (structured) return structured as unknown as ChatRunnable;
  const tools = request.tools ?? [];
  const withTools: ChatRunnable =
    tools.length === 0 || request.tool_choice === "none"
      ? model
      : (model.bindTools(
          tools as BindToolsInput[],
          request.tool_choice ? { tool_choice: request.tool_choice } : undefined,
        ) as ChatRunnable);
  const stop = stopSequences(request);
  return stop ? withTools.withConfig({ stop } as RunnableConfig) : withTools;
}

/** What an answered request reports to metrics and rate limits. */
export interface Answered {
  readonly pyramid?: PyramidMetadata;
  readonly usage?: AIMessageChunk["usage_metadata"];
}

/** A view that shows everything as it is (library users who call `answer` themselves). */
const AS_IS: ClientView = { pyramid: (pyramid) => pyramid, text: (text) => text };

/** Answers with one chat completion, shown through `view` (trace id handle, summarised errors, secrets masked). */
export async function answer(
  res: ServerResponse,
  runnable: ChatRunnable,
  messages: BaseMessage[],
  modelId: string,
  config: RunnableConfig,
  view: ClientView = AS_IS,
): Promise<Answered> {
  const message = await runnable.invoke(messages, config);
  const completion = toChatCompletion(message, modelId);
  const shown = completion.choices[0].message;
  if (shown.content !== null) shown.content = view.text(shown.content);
  for (const call of shown.tool_calls ?? []) call.function.arguments = view.text(call.function.arguments);
  if (completion.pyramid) {
    const shown = view.pyramid(completion.pyramid);
    completion.pyramid = shown;
    completion.usage.pyramid = shown;
  }
  sendJson(res, 200, completion);
  return { pyramid: message.response_metadata?.pyramid as PyramidMetadata | undefined, usage: message.usage_metadata };
}

function writeEvent(res: ServerResponse, data: unknown): void {
  if (res.destroyed || res.writableEnded) return;
  res.write(`data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`);
}

/**
 * Answers as OpenAI's SSE chunk stream: text and tool-call deltas, the routing trace on the last chunk, `[DONE]`.
 * `report` receives an error that ends the stream after it started (its details belong in the server's log).
 */
export async function streamAnswer(
  res: ServerResponse,
  runnable: ChatRunnable,
  messages: BaseMessage[],
  request: ChatCompletionRequest,
  modelId: string,
  config: RunnableConfig,
  report: (error: HttpError) => void = () => undefined,
  view: ClientView = AS_IS,
): Promise<Answered> {
  const header: ChunkHeader = { id: completionId(), created: nowSeconds(), model: modelId };
  const stream = await runnable.stream(messages, config);
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      "x-accel-buffering": "no",
    });
    writeEvent(res, chunk(header, { role: "assistant", content: "" }));
  };
  let pyramid: PyramidMetadata | undefined;
  let usage: AIMessageChunk["usage_metadata"];
  // A secret split over two chunks is masked too: the redactor holds the last characters back.
  const redactor = view === AS_IS ? undefined : new StreamRedactor();
  const toolIds = new Map<number, string>();
  try {
    for await (const piece of stream) {
      const raw = contentText(piece.content);
      const text = redactor ? redactor.push(raw) : raw;
      const deltas = toToolCallDeltas(piece, view.text).map((delta) => {
        if (toolIds.has(delta.index)) return delta;
        const id = delta.id ?? `call_${randomUUID().replace(/-/g, "").slice(0, 24)}`;
        toolIds.set(delta.index, id);
        return { ...delta, id, type: "function" as const };
      });
      if (piece.response_metadata?.pyramid) pyramid = piece.response_metadata.pyramid as PyramidMetadata;
      if (piece.usage_metadata) usage = piece.usage_metadata;
      if (text.length > 0) {
        start();
        writeEvent(res, chunk(header, { content: text }));
      }
      if (deltas.length > 0) {
        start();
        writeEvent(res, chunk(header, { tool_calls: deltas }));
      }
    }
  } catch (error) {
    if (!started) throw error;
    const rest = redactor?.flush() ?? "";
    if (rest.length > 0) writeEvent(res, chunk(header, { content: rest }));
    const httpError = toHttpError(error);
    report(httpError);
    writeEvent(res, httpError.body());
    if (!res.destroyed) res.end();
    return { pyramid, usage };
  }
  const rest = redactor?.flush() ?? "";
  if (rest.length > 0) {
    start();
    writeEvent(res, chunk(header, { content: rest }));
  }
  start();
  if (pyramid) pyramid = view.pyramid(pyramid);
  writeEvent(res, chunk(header, {}, toolIds.size > 0 ? "tool_calls" : "stop", pyramid ? { pyramid } : {}));
  if (request.stream_options?.include_usage) writeEvent(res, usageChunk(header, toUsage(usage, pyramid)));
  writeEvent(res, "[DONE]");
  res.end();
  return { pyramid, usage };
}
